"""The organizer dashboard page; leadership's home is rendered by main.index through here."""

from __future__ import annotations

from flask import Blueprint, render_template

from voicebox.auth.access import role_required
from voicebox.dashboard import service
from voicebox.models import Role
from voicebox.responses.views import item_url
from voicebox.settings import instance_settings
from voicebox.web import today

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@role_required(Role.ORGANIZER)
def overview() -> str:
    return render_template("dashboard/organizer.html", overview=service.organizer_overview(today()))


def leadership_home() -> str:
    """Leadership's one-screen summary (served at / for that role)."""
    summary = service.leadership_summary(instance_settings().headcount, today())
    return render_template("dashboard/leadership.html", summary=summary, today=today(), item_url=item_url)
