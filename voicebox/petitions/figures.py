"""Read side of petitions: listings and the figures a petition page shows.

Everything here reads counters and small tables; nothing counts signature rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from voicebox.extensions import db
from voicebox.models import Group, InstanceSettings, Petition, PetitionStatus, Signature

MILESTONES = (10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000)
PUBLIC_NAMES_SHOWN = 200


@dataclass(frozen=True)
class Progress:
    """The headline figures of one petition."""

    count: int
    goal: int
    goal_percent: float
    headcount: int | None
    headcount_percent: float | None
    days_left: int | None
    next_milestone: int | None
    reached_milestones: tuple[int, ...]


def progress_of(petition: Petition, headcount: int | None, today: date) -> Progress:
    """Count, goal, share of headcount, days left and milestones for one petition."""
    count = petition.signature_count
    days_left = None
    if petition.is_open and petition.closes_on is not None:
        days_left = max((petition.closes_on - today).days, 0)
    reached = tuple(m for m in MILESTONES if m <= count)
    upcoming = [m for m in MILESTONES if m > count]
    return Progress(
        count=count,
        goal=petition.goal,
        goal_percent=min(100.0, 100.0 * count / petition.goal) if petition.goal else 0.0,
        headcount=headcount,
        headcount_percent=(100.0 * count / headcount) if headcount else None,
        days_left=days_left,
        next_milestone=upcoming[0] if upcoming else None,
        reached_milestones=reached,
    )


@dataclass(frozen=True)
class LiveTally:
    """The figures a petition page refreshes while it is open in a browser."""

    count: int
    goal: int
    status: str
    headcount: int | None

    def as_json(self) -> dict[str, object]:
        headcount = self.headcount
        return {
            "count": self.count,
            "goal": self.goal,
            "goal_percent": round(min(100.0, 100.0 * self.count / self.goal), 1) if self.goal else 0.0,
            "headcount_percent": round(100.0 * self.count / headcount, 1) if headcount else None,
            "status": self.status,
        }


_HEADCOUNT = select(InstanceSettings.headcount).where(InstanceSettings.id == 1).scalar_subquery()
# Built once: browsers poll this while a petition page is open, so it is the hottest read.
_LIVE_TALLY = select(Petition.signature_count, Petition.goal, Petition.status, _HEADCOUNT).where(
    Petition.id == bindparam("petition_id"), Petition.status != PetitionStatus.DRAFT.value
)


def live_tally(petition_id: str) -> LiveTally | None:
    """The counter of a non-draft petition, read in one small query; None if there is none."""
    row = db.session.execute(_LIVE_TALLY, {"petition_id": petition_id}).first()
    return LiveTally(*row) if row else None


def public_signers(petition_id: str, limit: int = PUBLIC_NAMES_SHOWN) -> list[str]:
    """Display names of those who chose to sign publicly; nobody else appears."""
    return list(
        db.session.scalars(
            select(Signature.display_name)
            .where(Signature.petition_id == petition_id, Signature.display_name.is_not(None))
            .order_by(Signature.display_name)
            .limit(limit)
        )
    )


def petitions_by_status(include_drafts: bool) -> dict[str, list[Petition]]:
    """Petitions grouped open / draft / closed, most signed first."""
    wanted = [PetitionStatus.OPEN.value, PetitionStatus.CLOSED.value]
    if include_drafts:
        wanted.append(PetitionStatus.DRAFT.value)
    rows = db.session.scalars(
        select(Petition)
        .where(Petition.status.in_(wanted))
        .order_by(Petition.signature_count.desc(), Petition.created_on.desc(), Petition.title)
    ).all()
    grouped: dict[str, list[Petition]] = {status: [] for status in wanted}
    for petition in rows:
        grouped[petition.status].append(petition)
    return grouped


def group_choices() -> list[Group]:
    """Groups a signer may name, alphabetically."""
    return list(db.session.scalars(select(Group).order_by(Group.kind, Group.name)))
