"""The public audit log: every signed-in role can read what privileged roles did."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from voicebox.auditlog import service
from voicebox.auditlog.labels import action_label
from voicebox.auth.access import login_required

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@login_required
def index() -> str:
    page = service.audit_page(request.args.get("page", 1, type=int) or 1)
    return render_template("audit/index.html", page=page, action_label=action_label)
