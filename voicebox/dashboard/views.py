"""The organizer dashboard page (leadership's summary is their home page, main.index)."""

from __future__ import annotations

from flask import Blueprint, render_template

from voicebox.auth.access import role_required
from voicebox.dashboard import service
from voicebox.models import Role
from voicebox.web import today

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("")
@role_required(Role.ORGANIZER)
def overview() -> str:
    return render_template("dashboard/organizer.html", overview=service.organizer_overview(today()))
