"""Confirmation pages before flagging or hiding a concern, and taking a flag back."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import role_required
from voicebox.concerns import flags, service
from voicebox.concerns.blueprint import bp
from voicebox.concerns.forms import HideForm
from voicebox.confirm import Confirmation, render_confirmation
from voicebox.models import PARTICIPANT_ROLES, Concern, Role
from voicebox.ratelimits import member_action
from voicebox.web import confirmed_action, current_keys


def _concern(concern_id: str) -> Concern:
    try:
        return service.get_concern(concern_id)
    except service.ConcernNotFound:
        abort(404)


def _title(concern: Concern) -> str:
    return _("A hidden concern") if concern.hidden else concern.title


@bp.get("/<concern_id>/flag")
@role_required(*PARTICIPANT_ROLES)
def confirm_flag(concern_id: str) -> str:
    concern = _concern(concern_id)
    return render_confirmation(
        Confirmation(
            heading=_("Flag this concern for moderators?"),
            subject=_title(concern),
            consequences=[
                _("Organizers see it in their moderation queue and decide whether to hide it."),
                _("It stays visible until they do. Nobody can see who flagged it."),
                _("You can take your flag back while the concern is open."),
            ],
            action=url_for("concerns.flag", concern_id=concern.id),
            button=_("Flag for moderators"),
            cancel=url_for("concerns.detail", concern_id=concern.id),
            cancel_label=_("Don't flag it"),
        )
    )


@bp.post("/<concern_id>/unflag")
@role_required(*PARTICIPANT_ROLES)
@member_action
def unflag(concern_id: str) -> Response:
    return confirmed_action(
        lambda: flags.take_back_flag(concern_id, current_user.id, keys=current_keys()),
        success=_("Your flag is taken back."),
        back_to=url_for("concerns.detail", concern_id=concern_id),
        refused=service.ConcernError,
        missing=service.ConcernNotFound,
    )


@bp.get("/<concern_id>/hide")
@role_required(Role.ORGANIZER)
def confirm_hide(concern_id: str) -> str | Response:
    concern = _concern(concern_id)
    if concern.hidden:
        flash(_("This concern is already hidden."), "error")
        return redirect(url_for("concerns.detail", concern_id=concern.id))
    # The reason typed on the concern's page arrives here in the query string.
    form = HideForm(formdata=None, reason=request.args.get("reason", "")[:300])
    return render_confirmation(
        Confirmation(
            heading=_("Hide this concern?"),
            subject=concern.title,
            consequences=[
                _("Everyone, including leadership, sees your reason instead of its title and text."),
                _("Its \u201cme too\u201d count and status stay as they are."),
                _("The audit log records that an organizer hid a concern, with the reason."),
                _("An organizer can show it again later."),
            ],
            action=url_for("concerns.hide", concern_id=concern.id),
            button=_("Hide this concern"),
            cancel=url_for("concerns.detail", concern_id=concern.id),
            cancel_label=_("Keep it visible"),
            reason_field=form.reason,
        )
    )
