"""The frozen content of a report: built from counters, serialized canonically, digested.

A snapshot is plain JSON data; pages, exports and the API render it and never re-read
live numbers, so a published version can't change when more signatures arrive.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from voicebox.concerns.service import category_names
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.models import Concern, Petition
from voicebox.petitions.comments import quoted_comments
from voicebox.reports.tallies import breakdown_rows, daily_series, group_week_table
from voicebox.responses.service import (
    CONCERN,
    PETITION,
    closure_of,
    petition_start,
    responses_to,
    wait_between,
)
from voicebox.tokens.service import Inclusion, counted

FORMAT = "voicebox-report/1"
HIDDEN_TITLE = "Hidden by moderators"


def canonical_json(data: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same data always gives the same bytes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest_of(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON, as 64 hex characters."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _responses(
    kind: str, item_id: str, start: date, today: date, closed: tuple[str, date] | None = None
) -> dict[str, Any]:
    responses = responses_to(kind, item_id)
    wait = wait_between(start, responses[0].responded_on if responses else None, today, closed)
    return {
        "responses": [
            {"status": r.status, "responded_on": r.responded_on.isoformat(), "text": r.body}
            for r in responses
        ],
        "days_to_first_response": wait.days if wait.answered else None,
        "days_waiting": wait.days if wait.waiting else None,
    }


def _petition(
    petition: Petition, start: date, end: date, threshold: int, headcount: int | None, today: date
) -> dict[str, Any]:
    daily = daily_series(petition.id, start, end)
    table = group_week_table(petition.id, threshold, start, end)
    groups: list[dict[str, Any]] = []
    by_week: dict[str, Any] = {"weeks": [], "rows": []}
    if table is not None:
        groups, rows = breakdown_rows(table)
        by_week = {"weeks": list(table.columns), "rows": rows}
    count = petition.signature_count
    return {
        "id": petition.id,
        "title": petition.title,
        "status": petition.status,
        "goal": petition.goal,
        "opened_on": petition.opened_on.isoformat() if petition.opened_on else None,
        "closed_on": petition.closed_on.isoformat() if petition.closed_on else None,
        "signatures": count,
        "headcount_percent": round(100.0 * count / headcount, 1) if headcount else None,
        "signatures_in_period": sum(n for _, n in daily),
        # In the digest: a member who finds their token in the petition's list with this
        # root knows this report counted them.
        "counted_tokens": _counted(counted("signature", petition.id)),
        "counted_cosponsor_tokens": _counted(counted("cosponsor", petition.id)),
        "daily": [{"day": day.isoformat(), "signatures": n} for day, n in daily],
        "groups": groups,
        "groups_by_week": by_week,
        **_responses(PETITION, petition.id, petition_start(petition), today),
    }


def _counted(found: Inclusion) -> dict[str, Any]:
    return {"count": len(found.token_hashes), "merkle_root": found.root}


def _concern(concern: Concern, categories: dict[int, str], today: date) -> dict[str, Any]:
    # Moderators hid it for a reason: a report carries neither its title nor its answers.
    hidden = bool(concern.hidden)
    entry = {
        "id": concern.id,
        "title": HIDDEN_TITLE if hidden else concern.title,
        "hidden": hidden,
        "category": categories.get(concern.category_id or 0),
        "status": concern.status,
        "supports": concern.support_count,
        "created_on": concern.created_on.isoformat(),
        # Token hashes name nobody, so even a hidden concern's root is published.
        "counted_tokens": _counted(counted("support", concern.id)),
    }
    if hidden:
        entry.update({"responses": [], "days_to_first_response": None, "days_waiting": None})
    else:
        entry.update(_responses(CONCERN, concern.id, concern.created_on, today, closure_of(concern)))
    return entry


def response_summary(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Response rate and median days to first answer over the report's visible items."""
    visible = [item for item in items if not item.get("hidden")]
    waits = sorted(i["days_to_first_response"] for i in visible if i["days_to_first_response"] is not None)
    median: float | None = None
    if waits:
        middle = len(waits) // 2
        median = float(waits[middle]) if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    return {
        "items": len(visible),
        "answered": len(waits),
        "response_rate_percent": round(100.0 * len(waits) / len(visible), 1) if visible else None,
        "median_days_to_first_response": median,
    }


def build_snapshot(
    *,
    report_id: str,
    title: str,
    narrative: str,
    period_start: date,
    period_end: date,
    petition_ids: Sequence[str],
    concern_ids: Sequence[str],
    version: int,
    published_on: date,
    threshold: int,
    headcount: int | None,
    comment_ids: Sequence[str] = (),
    secrets: Secrets | None = None,
) -> dict[str, Any]:
    """The report's content from counters and per-day tallies at this moment.

    Signing comments the organizer ticked are quoted under their petition (only with the
    secrets to open them, and only from petitions with at least `threshold` signatures).
    """
    petitions = db.session.scalars(select(Petition).where(Petition.id.in_(petition_ids))).all()
    concerns = db.session.scalars(select(Concern).where(Concern.id.in_(concern_ids))).all()
    categories = category_names()
    petition_entries = sorted(
        (_petition(p, period_start, period_end, threshold, headcount, published_on) for p in petitions),
        key=lambda e: (-e["signatures"], e["title"], e["id"]),
    )
    if comment_ids and secrets is not None:
        by_id = {p.id: p for p in petitions}
        for entry in petition_entries:
            quoted = quoted_comments(by_id[entry["id"]], comment_ids, secrets, threshold=threshold)
            if quoted:
                entry["comments"] = quoted
    concern_entries = sorted(
        (_concern(c, categories, published_on) for c in concerns),
        key=lambda e: (e["hidden"], -e["supports"], e["title"], e["id"]),
    )
    by_category = Counter((c["category"] or "Uncategorized", c["status"]) for c in concern_entries)
    return {
        "format": FORMAT,
        "report_id": report_id,
        "title": title,
        "version": version,
        "published_on": published_on.isoformat(),
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "narrative": narrative,
        "suppression_threshold": threshold,
        "headcount": headcount,
        "petitions": petition_entries,
        "concerns": concern_entries,
        "concerns_by_category": [
            {"category": category, "status": status, "concerns": n}
            for (category, status), n in sorted(by_category.items())
        ],
        "response_summary": response_summary([*petition_entries, *concern_entries]),
    }
