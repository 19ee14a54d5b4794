"""Official responses: the public feed, leadership's answer forms, the admin's thresholds."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import login_required, role_required
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.models import Concern, Role
from voicebox.responses import service, thresholds
from voicebox.responses.forms import ResponseForm, ThresholdForm
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, current_keys, flash_form_errors, today

bp = Blueprint("responses", __name__)


def item_url(kind: str, item_id: str) -> str:
    """Where an item lives."""
    if kind == service.PETITION:
        return url_for("petitions.detail", petition_id=item_id)
    return url_for("concerns.detail", concern_id=item_id)


def response_panel(
    kind: str,
    item_id: str,
    waiting_since: date,
    can_respond: bool,
    closed: tuple[str, date] | None = None,
) -> dict[str, Any]:
    """Context for the official-responses panel of one item (see _item_responses.html)."""
    responses = service.responses_to(kind, item_id)
    respond_url = (
        url_for("responses.respond_to_petition", petition_id=item_id)
        if kind == service.PETITION
        else url_for("responses.respond_to_concern", concern_id=item_id)
    )
    return {
        "responses": responses,
        "wait": service.wait_between(
            waiting_since, responses[0].responded_on if responses else None, today(), closed
        ),
        "respond_url": respond_url,
        "respond_form": ResponseForm() if can_respond and current_user.has_role(Role.LEADERSHIP) else None,
    }


def concern_extras(concern: Concern) -> dict[str, Any]:
    """Template context for the concern page's extras block: its answers and leadership's form."""
    return {
        "answers": response_panel(
            service.CONCERN, concern.id, concern.created_on, not concern.hidden, service.closure_of(concern)
        )
    }


@bp.get("/responses")
@login_required
def feed() -> str:
    return render_template("responses/feed.html", entries=service.recent_responses(), item_url=item_url)


def _respond(kind: str, item_id: str) -> Response:
    form = ResponseForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(item_url(kind, item_id))
    try:
        with unit_of_work(db.session):
            service.post_response(
                kind,
                item_id,
                form.status.data or "",
                form.body.data or "",
                actor_role=current_user.role,
                today=today(),
                keys=current_keys(),
            )
    except service.ItemNotFound:
        abort(404)
    except service.ResponseError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Your response is published."), "success")
    return redirect(item_url(kind, item_id))


@bp.post("/petitions/<petition_id>/respond")
@role_required(Role.LEADERSHIP)
def respond_to_petition(petition_id: str) -> Response:
    return _respond(service.PETITION, petition_id)


@bp.post("/concerns/<concern_id>/respond")
@role_required(Role.LEADERSHIP)
def respond_to_concern(concern_id: str) -> Response:
    return _respond(service.CONCERN, concern_id)


@bp.route("/responses/thresholds", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def threshold_settings() -> str | Response:
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                thresholds.add_threshold(
                    form.share_percent.data,
                    form.respond_within_days.data,
                    actor_role=current_user.role,
                    today=today(),
                )
        except thresholds.ThresholdError as exc:
            form.share_percent.errors = [str(exc)]
        else:
            flash(_("Threshold added."), "success")
            return redirect(url_for("responses.threshold_settings"))
    return render_template(
        "responses/thresholds.html",
        form=form,
        thresholds=thresholds.list_thresholds(),
        remove_form=ConfirmForm(),
    )


@bp.post("/responses/thresholds/<int:threshold_id>/remove")
@role_required(Role.ADMIN)
def remove_threshold(threshold_id: int) -> Response:
    return confirmed_action(
        lambda: thresholds.remove_threshold(threshold_id, actor_role=current_user.role, today=today()),
        success=_("Threshold removed."),
        back_to=url_for("responses.threshold_settings"),
        refused=thresholds.ThresholdError,
    )
