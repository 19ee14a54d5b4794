"""Petition pages: thin views that parse, call one service function, and render."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.http import dump_cookie
from werkzeug.wrappers import Response

from voicebox.auth.access import login_required, role_required
from voicebox.extensions import db
from voicebox.identifying import hints_unless_confirmed
from voicebox.models import PARTICIPANT_ROLES, Role
from voicebox.petitions import closing, drafts, figures, listing, page, service
from voicebox.petitions.blueprint import bp
from voicebox.petitions.forms import PetitionForm, SignForm
from voicebox.ratelimits import member_action
from voicebox.settings import instance_settings
from voicebox.unit_of_work import unit_of_work
from voicebox.web import (
    confirmed_action,
    current_keys,
    current_secrets,
    error_text,
    today,
    translate,
)

DRAFT_READERS = (Role.MEMBER, Role.ORGANIZER, Role.ADMIN)


def _can_see_drafts() -> bool:
    return current_user.has_role(*DRAFT_READERS)


def _load_visible(petition_id: str):  # noqa: ANN202 - returns a Petition
    try:
        petition = service.get_petition(petition_id)
    except service.PetitionNotFound:
        abort(404)
    if (petition.is_draft or petition.is_rejected) and not _can_see_drafts():
        abort(404)
    return petition


def parse_group(raw: str | None) -> int | str | None:
    """The posted group: none, a group id to check, or "invalid" (not a number)."""
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() else "invalid"


@bp.get("")
@login_required
def index() -> str:
    drafts = _can_see_drafts()
    args = request.args
    query = listing.clean_query(
        args.get("q", ""),
        args.get("status", ""),
        args.get("sort", ""),
        args.get("page", ""),
        include_drafts=drafts,
    )
    return render_template(
        "petitions/index.html",
        page=listing.list_petitions(query, include_drafts=drafts),
        query=query,
        statuses=listing.statuses_for(drafts),
        labels=listing.STATUS_LABELS,
        sorts=listing.SORTS,
        can_start=current_user.has_role(*PARTICIPANT_ROLES),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*PARTICIPANT_ROLES)
@member_action
def new() -> str | Response:
    form = PetitionForm()
    hints: list = []
    if form.validate_on_submit() and not (
        hints := hints_unless_confirmed(
            f"{form.title.data}\n{form.body.data}",
            current_user.username,
            bool(form.confirm_identifying.data),
        )
    ):
        try:
            with unit_of_work(db.session):
                petition = service.start_petition(
                    current_user.id,
                    form.title.data or "",
                    form.body.data or "",
                    form.goal.data,
                    form.closes_on.data,
                    keys=current_keys(),
                    today=today(),
                )
        except service.InvalidPetition as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [translate(message)]
        else:
            flash(
                _("Draft saved. Share it so others can co-sponsor, then an organizer opens it."),
                "success",
            )
            return redirect(url_for("petitions.detail", petition_id=petition.id))
    return render_template("petitions/new.html", form=form, hints=hints)


# "Thank you for signing." rides on a cookie of its own rather than a flash: a flash
# rewrites and re-signs the whole session cookie on the POST and again on the page that
# shows it. This one holds "1", only the petition's own page receives it, it expires
# within a minute, and that page deletes it once shown -- what a flash in the session
# holds for as long, and no more; never a query string, which browser history would keep.
THANKS_COOKIE = "voicebox_thanks"
THANKS_SECONDS = 60


def thanks_set_cookie(path: str, *, secure: bool) -> str:
    """The Set-Cookie value holding a signer's one-minute thanks, scoped to the petition page."""
    return dump_cookie(
        THANKS_COOKIE, "1", max_age=THANKS_SECONDS, path=path, secure=secure, httponly=True, samesite="Lax"
    )


def thanks_cleared_cookie(path: str, *, secure: bool) -> str:
    """The Set-Cookie value deleting the thanks cookie once the page has shown it."""
    return dump_cookie(
        THANKS_COOKIE, "", max_age=0, expires=0, path=path, secure=secure, httponly=True, samesite="Lax"
    )


def _thanks_cookie(response: Response, path: str, *, shown: bool) -> Response:
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    made = thanks_cleared_cookie if shown else thanks_set_cookie
    response.headers.add("Set-Cookie", made(path, secure=secure))
    return response


@bp.get("/<petition_id>")
@login_required
def detail(petition_id: str) -> str | Response:
    petition = _load_visible(petition_id)
    thanked = request.cookies.get(THANKS_COOKIE) == "1"
    standing = service.PetitionStanding()
    if current_user.has_role(*PARTICIPANT_ROLES):
        standing = service.standing_of(petition, current_user.id, current_keys())
    html = page.detail_page(petition, instance_settings(), standing, thanked=thanked)
    if not thanked:
        return html
    return _thanks_cookie(
        make_response(html), url_for("petitions.detail", petition_id=petition_id), shown=True
    )


@bp.get("/<petition_id>/tally")
@login_required
def tally(petition_id: str) -> Response:
    """The live counter as JSON, polled by the petition page; costs one indexed read."""
    found = figures.live_tally(petition_id)
    if found is None:
        abort(404)
    return jsonify(found.as_json())


@bp.post("/<petition_id>/sign")
@role_required(*PARTICIPANT_ROLES)
def sign(petition_id: str) -> str | Response:
    # CSRFProtect checked the token before this view runs, so the optional fields are read
    # as posted, with no form object built per signature: the service checks their lengths
    # and the chosen group (no group list on POST either).
    fields = request.form
    target = url_for("petitions.detail", petition_id=petition_id)
    group = parse_group(fields.get("group"))
    if group == "invalid":
        flash(_("Choose a group from the list, or none."), "error")
        return redirect(target)
    comment = fields.get("comment", "")
    # Only a comment can identify its writer: no text, nothing to check.
    confirmed = fields.get("confirm_identifying", "") not in _UNCHECKED
    hints = hints_unless_confirmed(comment, current_user.username, confirmed) if comment else []
    if hints:
        return _check_comment(petition_id, hints)
    choice = service.SignatureChoice(
        display_name=fields.get("display_name", ""),
        group_id=group if isinstance(group, int) else None,
        comment=comment,
    )
    try:
        with unit_of_work(db.session):
            service.sign_petition(petition_id, current_user.id, choice, keys=current_keys(), today=today())
    except service.PetitionNotFound:
        abort(404)
    except service.InvalidPetition as exc:
        for message in exc.errors.values():
            flash(translate(message), "error")
    except service.PetitionError as exc:
        flash(error_text(exc), "error")
    else:
        # The page says "Thank you for signing." (short: the page below says how and when it
        # is counted, and a long message would push that out of a phone's first screen).
        return _thanks_cookie(redirect(target), target, shown=False)
    return redirect(target)


# What an unticked checkbox posts, as WTForms' BooleanField reads it.
_UNCHECKED = frozenset({"", "false"})


def _check_comment(petition_id: str, hints: list) -> str:
    """Nothing is stored yet: show the comment's warning and let the signer decide."""
    petition = _load_visible(petition_id)
    form = SignForm()
    form.group.choices = page.sign_form().group.choices
    return render_template("petitions/check_comment.html", petition=petition, form=form, hints=hints)


def _confirmed_action(petition_id: str, action: Callable[[], object], success: str) -> Response:
    return confirmed_action(
        action,
        success=success,
        back_to=url_for("petitions.detail", petition_id=petition_id),
        refused=service.PetitionError,
        missing=service.PetitionNotFound,
    )


@bp.post("/<petition_id>/withdraw")
@role_required(*PARTICIPANT_ROLES)
@member_action
def withdraw(petition_id: str) -> Response:
    return _confirmed_action(
        petition_id,
        lambda: service.remove_signature(
            petition_id, current_user.id, keys=current_keys(), secrets=current_secrets()
        ),
        _("Your signature has been withdrawn and removed."),
    )


@bp.post("/<petition_id>/cosponsor")
@role_required(*PARTICIPANT_ROLES)
@member_action
def cosponsor(petition_id: str) -> Response:
    return _confirmed_action(
        petition_id,
        lambda: drafts.cosponsor_petition(petition_id, current_user.id, keys=current_keys()),
        _("You co-sponsor this draft. Nobody can see who co-sponsors."),
    )


@bp.post("/<petition_id>/open")
@role_required(Role.ORGANIZER)
def open_for_signing(petition_id: str) -> Response:
    return _confirmed_action(
        petition_id,
        lambda: drafts.open_petition(
            petition_id,
            cosponsors_needed=instance_settings().cosponsors_needed,
            actor_role=current_user.role,
            today=today(),
            keys=current_keys(),
        ),
        _("The petition is open for signatures."),
    )


@bp.post("/<petition_id>/close")
@role_required(Role.ORGANIZER)
def close(petition_id: str) -> Response:
    return _confirmed_action(
        petition_id,
        lambda: closing.close_petition(
            petition_id,
            actor_role=current_user.role,
            today=today(),
            secrets=current_secrets(),
            keys=current_keys(),
        ),
        _("Closed. Signing has stopped, and nobody can ever find out who signed."),
    )
