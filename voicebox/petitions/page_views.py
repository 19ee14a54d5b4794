"""A petition page's own resources: its chart as an SVG (never inline HTML) and the
organizers' hide/unhide of a signing comment."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from voicebox.auth.access import login_required, role_required
from voicebox.charts import SVG_HEADERS, timeline_svg
from voicebox.concerns.forms import HideForm
from voicebox.extensions import db
from voicebox.labels import chart_text
from voicebox.models import Petition, Role
from voicebox.petitions import comments
from voicebox.petitions.blueprint import bp
from voicebox.reports.tallies import daily_series
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, error_text, flash_form_errors, today


def _back_to(petition_id: str) -> WerkzeugResponse:
    return redirect(url_for("petitions.detail", petition_id=petition_id, _anchor="comments-heading"))


@bp.post("/<petition_id>/comments/<handle>/hide")
@role_required(Role.ORGANIZER)
def hide_comment(petition_id: str, handle: str) -> WerkzeugResponse:
    form = HideForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to(petition_id)
    try:
        with unit_of_work(db.session):
            comments.hide_comment(handle, form.reason.data or "", actor_role=current_user.role, today=today())
    except comments.CommentNotFound:
        abort(404)
    except comments.CommentError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Comment hidden. Readers see the reason instead of the text."), "success")
    return _back_to(petition_id)


@bp.post("/<petition_id>/comments/<handle>/unhide")
@role_required(Role.ORGANIZER)
def unhide_comment(petition_id: str, handle: str) -> WerkzeugResponse:
    return confirmed_action(
        lambda: comments.unhide_comment(handle, actor_role=current_user.role, today=today()),
        success=_("Comment visible again."),
        back_to=url_for("petitions.detail", petition_id=petition_id, _anchor="comments-heading"),
        refused=comments.CommentError,
        missing=comments.CommentNotFound,
    )


@bp.get("/<petition_id>/chart.svg")
@login_required
def chart(petition_id: str) -> Response:
    petition = db.session.get(Petition, petition_id)
    if petition is None or (petition.is_draft or petition.is_rejected):
        abort(404)
    now = today()
    svg = timeline_svg(
        _("Signatures over time"),
        [(petition.title, daily_series(petition.id))],
        start=petition.opened_on,
        until=min(petition.closed_on or now, now),
        today=now,
        size=request.args.get("size", "desktop"),
        text=chart_text(),
    )
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)
