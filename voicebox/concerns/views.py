"""Concern pages for everyone: listing, posting, reading, "me too", flagging, follow-up."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.auth.access import login_required, role_required
from voicebox.concerns import followup, listing, moderation, service
from voicebox.concerns.blueprint import bp
from voicebox.concerns.forms import ConcernForm, HideForm, ReplyForm, StatusForm
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.labels import status_label
from voicebox.models import PARTICIPANT_ROLES, Concern, Role
from voicebox.ratelimits import member_action, per_address
from voicebox.responses.views import concern_extras
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, current_keys, current_secrets, flash_form_errors, no_store, today

STAFF_REPLIERS = (Role.ORGANIZER, Role.LEADERSHIP)


def _load(concern_id: str) -> Concern:
    try:
        return service.get_concern(concern_id)
    except service.ConcernNotFound:
        abort(404)


def _concern_form() -> ConcernForm:
    form = ConcernForm()
    choices = [(str(c.id), c.name) for c in service.categories()]
    form.category.choices = [("", _("Choose a category")), *choices] if choices else [("", _("General"))]
    return form


def _parse_category(raw: str | None) -> int | str | None:
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else "invalid"


@bp.get("")
@login_required
def index() -> str:
    args = request.args
    query = listing.clean_query(
        args.get("sort", ""),
        args.get("category", ""),
        args.get("status", ""),
        args.get("q", ""),
        args.get("page", ""),
    )
    return render_template(
        "concerns/index.html",
        page=listing.list_concerns(query, current_secrets()),
        query=query,
        categories=service.categories(),
        sorts=listing.SORTS,
        statuses=listing.STATUSES,
        can_post=current_user.has_role(*PARTICIPANT_ROLES),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*PARTICIPANT_ROLES)
@member_action
@per_address("concern_posts_per_address")
def new() -> str | Response:
    form = _concern_form()
    hints: list = []
    if form.validate_on_submit():
        category = _parse_category(form.category.data)
        try:
            if category == "invalid":
                raise service.InvalidConcern({"category": _("Choose a category from the list.")})
            with unit_of_work(db.session):
                posted = service.post_concern(
                    form.title.data or "",
                    form.body.data or "",
                    category if isinstance(category, int) else None,
                    username=current_user.username,
                    confirmed_identifying=bool(form.confirm_identifying.data),
                    secrets=current_secrets(),
                    keys=current_keys(),
                    today=today(),
                )
        except service.InvalidConcern as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
        except service.LooksIdentifying as exc:
            hints = exc.hints
        else:
            return no_store(
                render_template("concerns/posted.html", concern_id=posted.concern_id, receipt=posted.receipt)
            )
    return render_template("concerns/new.html", form=form, hints=hints)


@bp.get("/<concern_id>")
@login_required
def detail(concern_id: str) -> str | tuple[str, int]:
    try:
        concern = service.get_concern(concern_id)
    except service.ConcernNotFound:
        if service.is_being_posted(concern_id, current_keys()):
            return render_template("concerns/being_posted.html", concern_id=concern_id)
        abort(404)
    secrets = current_secrets()
    is_organizer = current_user.has_role(Role.ORGANIZER)
    shows_text = not concern.hidden or is_organizer
    can_reply = current_user.has_role(*STAFF_REPLIERS) and shows_text
    standing = service.ConcernStanding()
    if current_user.has_role(*PARTICIPANT_ROLES):
        standing = service.standing_of(concern, current_user.id, current_keys())
    status_form = StatusForm()
    status_form.status.choices = [
        (s, status_label(s, capital=True)) for s in moderation.next_statuses(concern.status)
    ]
    return render_template(
        "concerns/detail.html",
        concern=concern,
        category=concern.category_id and service.categories_by_id().get(concern.category_id),
        body=service.concern_body(concern, secrets) if shows_text else None,
        history=moderation.status_history(concern.id),
        thread=followup.thread_messages(concern.id, secrets) if can_reply else None,
        sender_labels=followup.SENDER_LABELS,
        standing=standing,
        can_participate=current_user.has_role(*PARTICIPANT_ROLES),
        can_moderate=is_organizer,
        can_reply=can_reply,
        reply_form=ReplyForm(),
        hide_form=HideForm(),
        status_form=status_form,
        confirm_form=ConfirmForm(),
        **concern_extras(concern),
    )


@bp.post("/<concern_id>/support")
@role_required(*PARTICIPANT_ROLES)
@member_action
def support(concern_id: str) -> Response:
    return confirmed_action(
        lambda: service.toggle_support(concern_id, current_user.id, keys=current_keys(), today=today()),
        success=lambda counted: (
            _('Your "me too" joins the count within a minute. Nobody can see who said it.')
            if counted
            else _('Your "me too" is taken back and removed.')
        ),
        back_to=url_for("concerns.detail", concern_id=concern_id),
        refused=service.ConcernError,
        missing=service.ConcernNotFound,
    )


@bp.post("/<concern_id>/flag")
@role_required(*PARTICIPANT_ROLES)
@member_action
def flag(concern_id: str) -> Response:
    return confirmed_action(
        lambda: service.flag_concern(concern_id, current_user.id, keys=current_keys(), today=today()),
        success=_("Thank you: moderators will look at this concern."),
        back_to=url_for("concerns.detail", concern_id=concern_id),
        refused=service.ConcernError,
        missing=service.ConcernNotFound,
    )


@bp.post("/<concern_id>/reply")
@role_required(*STAFF_REPLIERS)
def reply(concern_id: str) -> Response:
    form = ReplyForm()
    target = url_for("concerns.detail", concern_id=concern_id) + "#thread"
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(target)
    try:
        with unit_of_work(db.session):
            followup.staff_reply(
                concern_id,
                form.message.data or "",
                actor_role=current_user.role,
                secrets=current_secrets(),
                today=today(),
            )
    except service.ConcernNotFound:
        abort(404)
    except service.ConcernError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Sent. The author reads it with their receipt phrase."), "success")
    return redirect(target)
