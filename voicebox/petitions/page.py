"""The petition page in parts: what every reader sees, rendered once per page version, and
what belongs to one member or one role's forms, rendered per request.

Shared parts (title and tally, the Markdown body, chart and breakdown, thresholds and
answers, public names) come from voicebox.page_cache, keyed on the petition row (its
columns and random `page_version`, loaded by the view anyway), the settings row, the day,
the page's language and the reader's role; no extra query tells a worker that another
worker's write changed them. Signed or not, the sign form and every CSRF token (the
moderation and response forms included) are never cached.

On top of the parts, the whole page is kept as a frame (voicebox.page_frame) per page
version, role, language and the member's standing (signed, being counted), with holes for
what is theirs alone: the CSRF token, their name in the header, the messages waiting for
them, and the moderators' comment and answer panels with their forms. A page with a query
string or a draft's buttons is rendered in full instead.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from voicebox.forms import ConfirmForm, SelectChoice
from voicebox.models import PARTICIPANT_ROLES, InstanceSettings, Petition, Role
from voicebox.page_cache import DEFAULT_SIZE, LruCache
from voicebox.page_frame import Frame, hole
from voicebox.petitions import figures
from voicebox.petitions.forms import SignForm
from voicebox.reports.petition_page import (
    COMMENT_READERS,
    answers_context,
    comments_context,
    figures_context,
    has_extras,
)
from voicebox.reports.tallies import suppression_threshold
from voicebox.web import today

CACHE_KEY = "voicebox.page_cache"
FRAME_CACHE = "petition-frame"
# "Thank you for signing." as the page's messages, per language: the short page path
# (voicebox.petitions.page_path) serves the page after signing with it.
THANKS_CACHE = "petition-thanks"
EMPTY = Markup("")


@dataclass(frozen=True)
class SharedParts:
    """Rendered HTML every reader of one role sees alike; `answers` is None for leadership."""

    head: Markup
    body: Markup
    figures: Markup
    answers: Markup | None
    public: Markup
    sign_fields: Markup = EMPTY


def sign_form(**options: Any) -> SignForm:
    """The sign form with the group list (a query: only where the form is shown)."""
    form = SignForm(**options)
    form.group.choices = [SelectChoice("", _("Prefer not to say"))] + [
        SelectChoice(str(group.id), group.name) for group in figures.group_choices()
    ]
    return form


def fragment_cache(name: str) -> LruCache:
    """This process's cache `name` for this app (PAGE_CACHE_SIZE entries; 0 turns it off)."""
    caches: dict[str, LruCache] = current_app.extensions.setdefault(CACHE_KEY, {})
    found = caches.get(name)
    if found is None:
        found = caches[name] = LruCache(int(current_app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE)))
    return found


def version_of(petition: Any, settings: Any) -> tuple[Hashable, ...]:
    """Everything read anyway that a shared figure depends on, plus the day (days left,
    "through today", complete weeks) and the language."""
    return version_key(petition, settings, today(), str(get_locale()), request.script_root)


def version_key(
    petition: Any, settings: Any, day: date, language: str, script_root: str
) -> tuple[Hashable, ...]:
    """version_of with the request's parts given: the short page path computes it outside Flask."""
    return (
        petition.id,
        petition.page_version,
        petition.status,
        petition.title,
        petition.body,
        petition.goal,
        petition.closes_on,
        petition.opened_on,
        petition.closed_on,
        petition.signature_count,
        petition.cosponsor_count,
        petition.rejected_reason,
        settings.headcount,
        settings.small_group_threshold,
        settings.cosponsors_needed,
        day,
        language,
        script_root,
    )


def _render(name: str, **context: object) -> Markup:
    # Straight from the Jinja environment: the parts need no context processor (those
    # would build the navigation once per part).
    html = current_app.jinja_env.get_template(name).render(context)
    return Markup(html)  # noqa: S704 - autoescaped template output, as render_template's


def shared_parts(petition: Petition, settings: InstanceSettings, role: str) -> SharedParts:
    key = (*version_of(petition, settings), role)
    return fragment_cache("petition-page").get_or_build(key, lambda: _render_shared(petition, settings, role))


def _render_shared(petition: Petition, settings: InstanceSettings, role: str) -> SharedParts:
    progress = figures.progress_of(petition, settings.headcount, today())
    head = _render("petitions/_page_head.html", petition=petition, progress=progress)
    body = _render("petitions/_page_body.html", petition=petition)
    public = _render(
        "petitions/_page_public.html", petition=petition, public_names=figures.public_signers(petition.id)
    )
    if not has_extras(petition):
        return SharedParts(head, body, EMPTY, EMPTY, public)
    shown = _render("petitions/_page_figures.html", petition=petition, extras=figures_context(petition))
    answers = None if role == Role.LEADERSHIP else answers_part(petition, with_form=False)
    fields = EMPTY
    if petition.is_open:
        # Groups are only ever added, and adding one replaces every page version.
        fields = _render("petitions/_sign_fields.html", sign_form=sign_form(meta={"csrf": False}))
    return SharedParts(head, body, shown, answers, public, fields)


# Stands in for the member's CSRF token in a cached part; swapped for the real one per request.
STAND_IN = str(hole("csrf"))


def private_signing_part(petition: Petition, can_participate: bool) -> Markup:
    """The token-signing panel: about thirty translated strings, the same for every member but
    for the CSRF token, which is put in per request (the cache holds only a placeholder)."""
    html = _private_signing_frame(petition, can_participate)
    if STAND_IN not in html:
        return html
    return Markup(str(html).replace(STAND_IN, generate_csrf()))  # noqa: S704 - a signed token, URL-safe


def _private_signing_frame(petition: Petition, can_participate: bool) -> Markup:
    key = (petition.id, petition.status, can_participate, str(get_locale()), request.script_root)
    return fragment_cache("private-signing").get_or_build(
        key,
        lambda: _render(
            "tokens/_private_signing.html",
            petition=petition,
            can_participate=can_participate,
            csrf_token=lambda: STAND_IN,
        ),
    )


def answers_part(petition: Petition, *, with_form: bool) -> Markup:
    return _render("petitions/_page_answers.html", **answers_context(petition, with_form=with_form))


def member_parts(petition: Petition, shared: SharedParts) -> tuple[Markup, Markup]:
    """Signing comments (organizers and leadership) and, for leadership, the answers panel
    with its form: rendered per request, as they carry CSRF tokens."""
    if not has_extras(petition):
        return EMPTY, EMPTY
    context = comments_context(petition, suppression_threshold())
    comments = EMPTY
    if context:
        comments = _render("petitions/_page_comments.html", petition=petition, extras=context)
    answers = shared.answers if shared.answers is not None else answers_part(petition, with_form=True)
    return comments, answers


@dataclass(frozen=True)
class FramedReader:
    """What the page's header and scripts read of `current_user` while a frame is rendered:
    the role (part of the frame's key) and a hole where the member's name goes."""

    role: str
    is_authenticated: bool = True

    @property
    def username(self) -> Markup:
        return hole("username")


# Comment moderation and the answer form carry CSRF tokens: those roles' panels are their own.
OWN_PARTS_ROLES = frozenset(str(r) for r in (*COMMENT_READERS, Role.LEADERSHIP))


def has_own_parts(role: str) -> bool:
    """Whether this role's page carries panels of its own (comment moderation, the answer
    form) with CSRF tokens in them; other roles' comment and answer parts are shared."""
    return role in OWN_PARTS_ROLES


def _frames_apply(petition: Petition) -> bool:
    # A query string can change the language switcher's return address; a draft's buttons
    # carry form tokens of their own.
    return (
        int(current_app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE)) > 0
        and not petition.is_draft
        and not request.query_string
    )


def flash_area(page_flashes: list[tuple[str, str]]) -> str:
    """The page's messages (the session's flashes, taken, then `page_flashes`) as base.html
    shows them; empty when there are none."""
    if not page_flashes and "_flashes" not in session:
        return ""
    return current_app.jinja_env.get_template("_flashes.html").render(page_flashes=page_flashes)


def detail_page(
    petition: Petition, settings: InstanceSettings, standing: Hashable, *, thanked: bool = False
) -> str:
    """The petition page for the signed-in reader, from its frame wherever one applies;
    `thanked` adds "Thank you for signing." after any messages waiting in the session."""
    role = str(current_user.role)
    shared = shared_parts(petition, settings, role)
    comments, answers = member_parts(petition, shared)
    can_participate = current_user.has_role(*PARTICIPANT_ROLES)
    context: dict[str, Any] = {
        "petition": petition,
        "shared": shared,
        "standing": standing,
        "cosponsors_needed": settings.cosponsors_needed,
        "can_participate": can_participate,
        "can_organize": current_user.has_role(Role.ORGANIZER),
    }
    page_flashes = [("success", _("Thank you for signing."))] if thanked else []
    if not _frames_apply(petition):
        return render_template(
            "petitions/detail.html",
            comments=comments,
            answers=answers,
            private_signing=private_signing_part(petition, can_participate),
            # Only a draft's buttons (co-sponsor, open) use it: no form built for other pages.
            confirm_form=ConfirmForm() if petition.is_draft else None,
            page_flashes=page_flashes,
            **context,
        )
    key = (*version_of(petition, settings), role, standing, request.path)
    own = has_own_parts(role)
    frame = fragment_cache(FRAME_CACHE).get_or_build(
        key,
        lambda: Frame.of(
            render_template(
                "petitions/detail.html",
                comments=hole("comments") if own else comments,
                answers=hole("answers") if own else answers,
                private_signing=_private_signing_frame(petition, can_participate),
                confirm_form=None,
                csrf_token=lambda: STAND_IN,
                current_user=FramedReader(role),
                flash_area=hole("flashes"),
                **context,
            )
        ),
    )
    return frame.fill(
        {
            "csrf": generate_csrf(),
            "username": str(escape(current_user.username)),
            "comments": comments,
            "answers": answers,
            "flashes": _messages(page_flashes, thanked=thanked),
        }
    )


def _messages(page_flashes: list[tuple[str, str]], *, thanked: bool) -> str:
    if thanked and "_flashes" not in session:
        # The thanks alone reads the same for every signer in one language.
        language = str(get_locale())
        return fragment_cache(THANKS_CACHE).get_or_build(language, lambda: flash_area(page_flashes))
    return flash_area(page_flashes)
