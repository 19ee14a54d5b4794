"""Petition routes around the main ones: confirmation pages before closing or withdrawing,
the author's draft editor, and an organizer's rejection of a draft with a public reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import role_required
from voicebox.confirm import Confirmation, render_confirmation
from voicebox.extensions import db
from voicebox.identifying import hints_unless_confirmed
from voicebox.models import PARTICIPANT_ROLES, Petition, Role
from voicebox.petitions import drafts, service
from voicebox.petitions.blueprint import bp
from voicebox.petitions.forms import PetitionForm, RejectForm
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_keys, error_text, today, translate


def _petition(petition_id: str) -> Petition:
    try:
        return service.get_petition(petition_id)
    except service.PetitionNotFound:
        abort(404)


def _back(petition: Petition) -> Response:
    return redirect(url_for("petitions.detail", petition_id=petition.id))


@bp.get("/<petition_id>/close")
@role_required(Role.ORGANIZER)
def confirm_close(petition_id: str) -> str | Response:
    petition = _petition(petition_id)
    if not petition.is_open:
        flash(_("Only an open petition can be closed."), "error")
        return _back(petition)
    count = petition.signature_count
    return render_confirmation(
        Confirmation(
            heading=_("Close this petition?"),
            subject=petition.title,
            consequences=[
                _("Signing stops for everyone, now and for good: a closed petition can't be reopened."),
                ngettext(
                    "Its %(count)s signature stay counted, and nobody can withdraw theirs any more.",
                    "Its %(count)s signatures stay counted, and nobody can withdraw theirs any more.",
                    count,
                    count=format_decimal(count),
                ),
                _(
                    "From then on nobody, including you and the server's administrators, can ever "
                    "find out who signed."
                ),
                _("The audit log records that an organizer closed it."),
            ],
            action=url_for("petitions.close", petition_id=petition.id),
            button=_("Close this petition"),
            cancel=url_for("petitions.detail", petition_id=petition.id),
            cancel_label=_("Keep it open"),
        )
    )


@bp.get("/<petition_id>/withdraw")
@role_required(*PARTICIPANT_ROLES)
def confirm_withdraw(petition_id: str) -> str | Response:
    petition = _petition(petition_id)
    if not petition.is_open:
        flash(_("This petition is closed, so signatures can't be withdrawn."), "error")
        return _back(petition)
    return render_confirmation(
        Confirmation(
            heading=_("Withdraw your signature?"),
            subject=petition.title,
            consequences=[
                _("Your signature, and any name, group or comment you gave with it, is deleted."),
                _("The count goes down by one."),
                _("You can sign again while the petition is open."),
            ],
            action=url_for("petitions.withdraw", petition_id=petition.id),
            button=_("Withdraw my signature"),
            cancel=url_for("petitions.detail", petition_id=petition.id),
            cancel_label=_("Keep my signature"),
        )
    )


@bp.route("/<petition_id>/edit", methods=["GET", "POST"])
@role_required(*PARTICIPANT_ROLES)
def edit(petition_id: str) -> str | Response:
    petition = _petition(petition_id)
    keys = current_keys()
    if not drafts.can_edit(petition, current_user.id, keys):
        flash(_("Only the person who started a draft can edit it, and only while it is a draft."), "error")
        return _back(petition)
    form = PetitionForm(obj=None if request.method == "POST" else petition)
    hints: list = []
    if form.validate_on_submit():
        title, body = form.title.data or "", form.body.data or ""
        hints = hints_unless_confirmed(
            f"{title}\n{body}", current_user.username, bool(form.confirm_identifying.data)
        )
        if not hints:
            try:
                with unit_of_work(db.session):
                    _edited, undone = drafts.edit_draft(
                        petition.id,
                        current_user.id,
                        title,
                        body,
                        form.goal.data,
                        form.closes_on.data,
                        keys=keys,
                        actor_role=current_user.role,
                        today=today(),
                    )
            except service.InvalidPetition as exc:
                for name, message in exc.errors.items():
                    getattr(form, name).errors = [translate(message)]
            except service.PetitionError as exc:
                flash(error_text(exc), "error")
                return _back(petition)
            else:
                message = _("Draft saved.")
                if undone:
                    message += " " + ngettext(
                        "Its %(num)s co-sponsor backed the earlier text, so they are asked again.",
                        "Its %(num)s co-sponsors backed the earlier text, so they are asked again.",
                        undone,
                    )
                flash(message, "success")
                return _back(petition)
    return render_template(
        "petitions/new.html",
        form=form,
        hints=hints,
        petition=petition,
        action=url_for("petitions.edit", petition_id=petition.id),
    )


@bp.get("/<petition_id>/reject")
@role_required(Role.ORGANIZER)
def confirm_reject(petition_id: str) -> str | Response:
    petition = _petition(petition_id)
    if not petition.is_draft:
        flash(_("Only a draft can be rejected."), "error")
        return _back(petition)
    return render_confirmation(_rejection(petition, RejectForm(formdata=None)))


def _rejection(petition: Petition, form: RejectForm) -> Confirmation:
    return Confirmation(
        heading=_("Reject this draft?"),
        subject=petition.title,
        consequences=[
            _("The draft stops taking co-sponsors and can never be opened for signatures."),
            _("Everyone who opens it sees your reason instead of the sign-up controls."),
            _("Who co-sponsored it is forgotten for good; the author can start a new draft."),
            _("The audit log records that an organizer rejected it, with the reason."),
        ],
        action=url_for("petitions.reject", petition_id=petition.id),
        button=_("Reject this draft"),
        cancel=url_for("petitions.detail", petition_id=petition.id),
        cancel_label=_("Keep the draft"),
        reason_field=form.reason,
    )


@bp.post("/<petition_id>/reject")
@role_required(Role.ORGANIZER)
def reject(petition_id: str) -> str | Response:
    petition = _petition(petition_id)
    form = RejectForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_confirmation(_rejection(petition, form))
    try:
        with unit_of_work(db.session):
            drafts.reject_draft(
                petition.id,
                form.reason.data or "",
                actor_role=current_user.role,
                today=today(),
                keys=current_keys(),
            )
    except service.PetitionError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Draft rejected. Everyone who opens it sees your reason."), "success")
    return _back(petition)
