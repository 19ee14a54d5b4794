"""How long counting one window holds the writer: `python bench/count_window.py` (by hand).

While the tick writes a counting window into the signature table, SQLite's single writer
(and, on PostgreSQL, the counting lock) is held, so every member signing meanwhile waits.
This loads one petition with --signatures rows (as bench/load.py does), then, round by
round, queues --window sealed signatures in a window, starts the next window and times
counting the full one, from its first statement to its commit. The baseline, measured in
the same rounds on the same table: one bare transaction inserting as many signature rows
of the same shape with a single executemany on the connection.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.load import load_signatures
from voicebox import create_app, pending
from voicebox.anonymity import coarse_date, random_id
from voicebox.extensions import db
from voicebox.models import Signature
from voicebox.petitions.service import SIGN, SignatureChoice, signature_payload
from voicebox.tick import appliers
from voicebox.unit_of_work import unit_of_work


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000_000, help="signatures preloaded")
    parser.add_argument("--window", type=int, default=6_000, help="signatures queued per window")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url", default="", help="an EMPTY database (default: SQLite in a temp folder)"
    )
    return parser.parse_args()


def queue_window(app, petition_id: str, size: int) -> None:
    """Queue `size` sealed signatures in the current window, then start the next window."""
    keys = app.extensions["voicebox.keys"]
    with unit_of_work(db.session):
        window, _ = pending.current_window(db.session, keys)
        for _ in range(size):
            mark = secrets.token_hex(32)
            payload = signature_payload(petition_id, mark, coarse_date(), SignatureChoice())
            pending.queue_action(db.session, window, SIGN, mark, payload)
    with unit_of_work(db.session):
        pending.start_window(db.session, keys)


def time_count(app) -> tuple[float, int]:
    """Seconds to count the oldest live window, through its commit; and how many it wrote."""
    keys, secrets_ = app.extensions["voicebox.keys"], app.extensions["voicebox.secrets"]
    window = pending.live_windows(db.session, keys)[-1]
    how = appliers(secrets_, keys)
    started = time.perf_counter()
    with unit_of_work(db.session):
        counted = pending.count_window(db.session, keys, window, how)
    return time.perf_counter() - started, counted


def time_bare_insert(petition_id: str, size: int) -> float:
    """Seconds for one transaction inserting `size` signature rows with one executemany."""
    rows = [
        {
            "id": random_id(),
            "petition_id": petition_id,
            "nullifier": secrets.token_hex(32),
            "signed_on": coarse_date(),
            "group_ciphertext": os.urandom(60),
        }
        for _ in range(size)
    ]
    started = time.perf_counter()
    with unit_of_work(db.session):
        # Core on the connection: the driver's executemany, no ORM and no ON CONFLICT.
        db.session.connection().execute(insert(Signature.__table__), rows)
    return time.perf_counter() - started


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicebox-count-"))
    database_url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BACKGROUND_TICK": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    petition_id, seconds = load_signatures(app, args.signatures)
    where = database_url.split("@")[-1]
    print(f"database: {where}; loaded {args.signatures:,} signatures in {seconds:.1f} s")
    counts, bares = [], []
    with app.app_context():
        for round_number in range(1, args.rounds + 1):
            queue_window(app, petition_id, args.window)
            took, counted = time_count(app)
            if counted != args.window:
                sys.exit(f"round {round_number}: counted {counted}, queued {args.window}")
            bare = time_bare_insert(petition_id, args.window)
            counts.append(took)
            bares.append(bare)
            print(f"round {round_number}: count {took:.2f} s, bare insert {bare:.2f} s")
    count, bare = statistics.median(counts), statistics.median(bares)
    print(
        f"\ncounting a window of {args.window:,} at {args.signatures:,} signatures: median {count:.2f} s; "
        f"bare insert of as many rows {bare:.2f} s; ratio {count / bare:.2f}x"
    )
    print(f"(working files in {folder})")


if __name__ == "__main__":
    main()
