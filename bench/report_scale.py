"""Report cost at 1,000 vs 1,000,000 signatures: it must read counters, not signature rows.

Run by hand: python bench/report_scale.py (VOICEBOX_BENCH_LARGE=20000 for a quick check)
Signature rows and their tallies are bulk-inserted with SQL (fast set-up); the timed part
builds and publishes a report exactly as the publish button does.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update

from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import (
    Group,
    Petition,
    PetitionDayTally,
    Report,
    Signature,
)
from voicebox.petitions import breakdown, drafts
from voicebox.petitions import service as petitions
from voicebox.reports import service as reports
from voicebox.unit_of_work import unit_of_work

DAYS = 60
BATCH = 50_000
RUNS = 7
LARGE = int(os.environ.get("VOICEBOX_BENCH_LARGE", "1000000"))


def seed_petition(app, title: str, signatures: int, groups: list[int]) -> str:
    today = coarse_date()
    with unit_of_work(db.session):
        petition = petitions.start_petition(
            "bench-author",
            title,
            "Bench body",
            signatures,
            None,
            keys=app.extensions["voicebox.keys"],
            today=today,
        )
    with unit_of_work(db.session):
        drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
    rng = random.Random(signatures)
    per_day: Counter = Counter()
    per_group_day: Counter = Counter()
    done = 0
    while done < signatures:
        rows = []
        for _ in range(min(BATCH, signatures - done)):
            day = today - timedelta(days=rng.randrange(DAYS))
            group = rng.choice([*groups, None])
            rows.append(
                {
                    "id": secrets.token_hex(16),
                    "petition_id": petition.id,
                    "nullifier": secrets.token_hex(32),
                    "signed_on": day,
                }
            )
            per_day[day] += 1
            if group is not None:
                per_group_day[(group, day)] += 1
        with unit_of_work(db.session):  # one batch at a time keeps the transaction small
            db.session.execute(insert(Signature), rows)
        done += len(rows)
    with unit_of_work(db.session):
        _seed_tallies(app, petition.id, signatures, per_day, per_group_day)
    return petition.id


def _seed_tallies(app, petition_id: str, signatures: int, per_day: Counter, per_group_day: Counter) -> None:
    # Which group signed lives only in the sealed per-petition breakdown, never in the rows.
    db.session.execute(
        insert(PetitionDayTally),
        [{"petition_id": petition_id, "day": d, "signatures": n} for d, n in per_day.items()],
    )
    breakdown.add_cells(db.session, app.extensions["voicebox.secrets"].data_key, petition_id, per_group_day)
    db.session.execute(update(Petition).where(Petition.id == petition_id).values(signature_count=signatures))


def time_report(petition_id: str) -> float:
    today = coarse_date()
    draft = reports.ReportDraft(
        title="Bench report",
        period_start=today - timedelta(days=DAYS),
        period_end=today,
        petition_ids=[petition_id],
    )
    with unit_of_work(db.session):
        report = reports.create_report(draft, actor_role="organizer", today=today)
    timings = []
    for _ in range(RUNS):
        db.session.expire_all()
        started = time.perf_counter()
        with unit_of_work(db.session):
            reports.publish_report(
                report.id,
                db.session.get(Report, report.id).latest_version,
                threshold=5,
                headcount=70_000,
                actor_role="organizer",
                today=today,
            )
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": f"{folder}/instance",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "AUTO_MIGRATE": True,
            }
        )
        with app.app_context():
            with unit_of_work(db.session):
                for name in ("Engineering", "Sales", "Support", "Night shift", "Warehouse"):
                    db.session.add(Group(name=name))
            groups = list(db.session.scalars(select(Group.id)))
            started = time.perf_counter()
            small = seed_petition(app, "Small petition", 1_000, groups)
            large = seed_petition(app, "Large petition", LARGE, groups)
            elapsed = time.perf_counter() - started
            print(f"set-up (bulk insert of {1_000 + LARGE:,} signatures): {elapsed:.1f} s")
            t_small = time_report(small)
            t_large = time_report(large)
            print(f"report build + publish, 1,000 signatures:     {t_small * 1000:.2f} ms (median of {RUNS})")
            print(f"report build + publish, {LARGE:,} signatures: {t_large * 1000:.2f} ms (median of {RUNS})")
            print(f"ratio large/small: {t_large / t_small:.2f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
