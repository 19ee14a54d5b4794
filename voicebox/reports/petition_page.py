"""What a petition page adds beyond its tally: chart, group breakdown, thresholds, answers.

Also serves the petition's chart as an SVG resource of its own (never inline HTML).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from voicebox.auth.access import login_required, role_required
from voicebox.charts import DESKTOP, SVG_HEADERS, chart_height, running_rows, timeline_svg
from voicebox.concerns.forms import HideForm
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.models import Petition, Role
from voicebox.petitions import comments
from voicebox.reports.tallies import daily_series, group_week_table, suppression_threshold
from voicebox.responses.service import PETITION, petition_start
from voicebox.responses.thresholds import crossings_of
from voicebox.responses.views import response_panel
from voicebox.web import confirmed_action, current_secrets, flash_form_errors, today

bp = Blueprint("tallies", __name__)
# Who reads signing comments: the people a petition is addressed to and those who run it.
COMMENT_READERS = (Role.ORGANIZER, Role.LEADERSHIP)


def petition_extras(petition: Petition) -> dict[str, Any]:
    """Template context for the petition page's extras block; empty for drafts."""
    if petition.is_draft or petition.is_rejected:
        return {"extras": None}
    threshold = suppression_threshold()
    daily = daily_series(petition.id)
    return {
        "extras": {
            "threshold": threshold,
            "daily": daily,
            "chart": {
                "url": url_for("tallies.petition_chart", petition_id=petition.id),
                "phone_url": url_for("tallies.petition_chart", petition_id=petition.id, size="phone"),
                "height": chart_height(DESKTOP, 1),
                "rows": running_rows(daily),
                "caption": "Running total of signatures, from the day it opened through today.",
            },
            "breakdown": group_week_table(petition.id, threshold),
            "comments": _comments(petition, threshold),
            "moderate_comments": current_user.has_role(Role.ORGANIZER),
            "comment_confirm_form": ConfirmForm(),
            "crossings": crossings_of(petition.id),
            "chart_url": url_for("tallies.petition_chart", petition_id=petition.id),
        },
        "answers": response_panel(PETITION, petition.id, petition_start(petition), can_respond=True),
    }


def _comments(petition: Petition, threshold: int) -> comments.CommentsView | None:
    if not current_user.has_role(*COMMENT_READERS):
        return None
    return comments.petition_comments(
        petition.id, current_secrets(), signature_count=petition.signature_count, threshold=threshold
    )


def _back_to(petition_id: str) -> WerkzeugResponse:
    return redirect(url_for("petitions.detail", petition_id=petition_id, _anchor="comments-heading"))


@bp.post("/petitions/<petition_id>/comments/<handle>/hide")
@role_required(Role.ORGANIZER)
def hide_comment(petition_id: str, handle: str) -> WerkzeugResponse:
    form = HideForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to(petition_id)
    try:
        comments.hide_comment(handle, form.reason.data or "", actor_role=current_user.role, today=today())
    except comments.CommentNotFound:
        abort(404)
    except comments.CommentError as exc:
        flash(str(exc), "error")
    else:
        flash("Comment hidden. Readers see the reason instead of the text.", "success")
    return _back_to(petition_id)


@bp.post("/petitions/<petition_id>/comments/<handle>/unhide")
@role_required(Role.ORGANIZER)
def unhide_comment(petition_id: str, handle: str) -> WerkzeugResponse:
    return confirmed_action(
        lambda: comments.unhide_comment(handle, actor_role=current_user.role, today=today()),
        success="Comment visible again.",
        back_to=url_for("petitions.detail", petition_id=petition_id, _anchor="comments-heading"),
        refused=comments.CommentError,
        missing=comments.CommentNotFound,
    )


@bp.get("/petitions/<petition_id>/chart.svg")
@login_required
def petition_chart(petition_id: str) -> Response:
    petition = db.session.get(Petition, petition_id)
    if petition is None or (petition.is_draft or petition.is_rejected):
        abort(404)
    now = today()
    svg = timeline_svg(
        "Signatures over time",
        [(petition.title, daily_series(petition.id))],
        start=petition.opened_on,
        until=min(petition.closed_on or now, now),
        today=now,
        size=request.args.get("size", "desktop"),
    )
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)
