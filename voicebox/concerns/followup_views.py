"""/followup: an author opens their concern's private thread with the receipt phrase."""

from __future__ import annotations

from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import role_required
from voicebox.concerns import followup, service
from voicebox.concerns.forms import FollowupForm
from voicebox.extensions import db
from voicebox.identifying import IdentifyingHint, hints_unless_confirmed
from voicebox.models import PARTICIPANT_ROLES
from voicebox.ratelimits import member_action, receipt_limits, strike
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_keys, current_secrets, no_store, today

bp = Blueprint("followup", __name__, url_prefix="/followup")


@bp.route("", methods=["GET", "POST"])
@role_required(*PARTICIPANT_ROLES)
@member_action
@receipt_limits
def thread() -> Response:
    form = FollowupForm()
    opened = None
    receipt = ""
    hints: list[IdentifyingHint] = []
    if form.validate_on_submit():
        receipt = form.receipt.data or ""
        message = form.message.data or ""
        hints = hints_unless_confirmed(message, current_user.username, bool(form.confirm_identifying.data))
        try:
            if message.strip() and not hints:
                with unit_of_work(db.session):
                    opened = followup.author_reply(
                        receipt,
                        form.message.data or "",
                        secrets=current_secrets(),
                        keys=current_keys(),
                        today=today(),
                    )
                form.message.data = ""
                flash(
                    _("Your answer is sent. Staff see it after the next count, within a minute."), "success"
                )
            else:
                opened = followup.open_thread(receipt, current_secrets(), current_keys())
        except followup.ThreadNotFound as exc:
            strike("receipt")
            form.receipt.errors = [str(exc)]
        except service.ConcernError as exc:
            form.message.errors = [str(exc)]
            opened = followup.open_thread(receipt, current_secrets(), current_keys())
    return no_store(
        render_template(
            "concerns/followup.html",
            form=form,
            thread=opened,
            hints=hints if opened else [],
            receipt=receipt if opened else "",
            sender_labels=followup.SENDER_LABELS,
        )
    )
