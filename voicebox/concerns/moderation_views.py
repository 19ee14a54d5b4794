"""Organizer-only concern routes: the moderation queue, hiding, status and categories.

Every route here is `role_required(Role.ORGANIZER)`: leadership, admins and members get 403.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import role_required
from voicebox.concerns import moderation, service
from voicebox.concerns.blueprint import bp
from voicebox.concerns.forms import CategoryForm, HideForm, StatusForm
from voicebox.concerns.service import CLOSED_STATUSES
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.labels import status_label
from voicebox.models import Role
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, current_keys, current_secrets, flash_form_errors, today


def _back(concern_id: str) -> Response:
    return redirect(url_for("concerns.detail", concern_id=concern_id))


@bp.get("/moderation")
@role_required(Role.ORGANIZER)
def moderation_queue() -> str:
    flagged, hidden = moderation.moderation_queue(current_secrets())
    return render_template(
        "concerns/moderation.html",
        flagged=flagged,
        hidden=hidden,
        hide_form=HideForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<concern_id>/hide")
@role_required(Role.ORGANIZER)
def hide(concern_id: str) -> Response:
    form = HideForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(concern_id)
    try:
        with unit_of_work(db.session):
            moderation.hide_concern(
                concern_id, form.reason.data or "", actor_role=current_user.role, today=today()
            )
    except service.ConcernNotFound:
        abort(404)
    except service.ConcernError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Hidden. Everyone sees the reason instead of the text."), "success")
    return _back(concern_id)


@bp.post("/<concern_id>/unhide")
@role_required(Role.ORGANIZER)
def unhide(concern_id: str) -> Response:
    return confirmed_action(
        lambda: moderation.unhide_concern(concern_id, actor_role=current_user.role, today=today()),
        success=_("Visible again."),
        back_to=url_for("concerns.detail", concern_id=concern_id),
        refused=service.ConcernError,
        missing=service.ConcernNotFound,
    )


@bp.post("/<concern_id>/dismiss-flags")
@role_required(Role.ORGANIZER)
def dismiss_flags(concern_id: str) -> Response:
    return confirmed_action(
        lambda: moderation.dismiss_flags(concern_id, actor_role=current_user.role, today=today()),
        success=_("Kept visible and cleared from the queue."),
        back_to=url_for("concerns.moderation_queue"),
        missing=service.ConcernNotFound,
    )


@bp.post("/<concern_id>/status")
@role_required(Role.ORGANIZER)
def status(concern_id: str) -> Response:
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work(db.session):
            concern = moderation.change_status(
                concern_id,
                form.status.data or "",
                actor_role=current_user.role,
                today=today(),
                keys=current_keys(),
            )
    except service.ConcernNotFound:
        abort(404)
    except service.ConcernError as exc:
        flash(str(exc), "error")
    else:
        message = _("Status is now %(status)s.", status=status_label(concern.status))
        if concern.status in CLOSED_STATUSES:
            message += " " + _('Every "me too" is now permanent and nobody can ever find out who said it.')
        flash(message, "success")
    return _back(concern_id)


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def categories() -> str | Response:
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                category = moderation.add_category(
                    form.name.data or "",
                    form.description.data or "",
                    actor_role=current_user.role,
                    today=today(),
                )
        except moderation.InvalidCategory as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
        else:
            flash(_("Category “%(name)s” added.", name=category.name), "success")
            return redirect(url_for("concerns.categories"))
    return render_template(
        "concerns/categories.html",
        form=form,
        categories=service.categories(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/categories/<int:category_id>/delete")
@role_required(Role.ORGANIZER)
def delete_category(category_id: int) -> Response:
    return confirmed_action(
        lambda: moderation.remove_category(category_id, actor_role=current_user.role, today=today()),
        success=_("Category removed. Its concerns stay, without a category."),
        back_to=url_for("concerns.categories"),
        refused=service.ConcernError,
    )
