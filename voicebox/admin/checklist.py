"""The admin's first-run checklist: what a new instance still needs before people join."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from voicebox.extensions import db
from voicebox.models import Group, Invite, ResponseThreshold
from voicebox.settings import instance_settings


@dataclass(frozen=True)
class Step:
    label: str
    why: str
    endpoint: str
    done: bool


def _exists(model: type) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(model)))


def setup_steps() -> list[Step]:
    """Each step and whether it is done, read from what the instance already holds."""
    return [
        Step(
            _l("Set the staff headcount"),
            _l("Petitions show what share of all staff signed, and response thresholds need it."),
            "admin.settings",
            instance_settings().headcount is not None,
        ),
        Step(
            _l("Add departments and sites"),
            _l("Signers may name one; totals appear only above the small-group threshold."),
            "admin.groups",
            _exists(Group),
        ),
        Step(
            _l("Set response thresholds"),
            _l("When enough staff sign, leadership owes an answer within the days you choose."),
            "responses.threshold_settings",
            _exists(ResponseThreshold),
        ),
        Step(
            _l("Invite people"),
            _l("Staff join with invite codes; voicebox never asks for an email address."),
            "admin.invites",
            _exists(Invite),
        ),
    ]
