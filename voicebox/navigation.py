"""The site navigation, by role: one list, so templates hold no role logic."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voicebox.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str

    @property
    def url(self) -> str:
        return url_for(self.endpoint)

    current: bool = False


def N_(message: str) -> str:
    """Mark text for translation; the template translates it with _(value)."""
    return message


# The role names a person sees (base.html's badge, the account page), translated there.
ROLE_NAMES = (N_("member"), N_("organizer"), N_("leadership"), N_("admin"))


# Who sees an item is decided by its page's own @role_required; an unknown endpoint is an error.
NAV_ITEMS: list[NavItem] = [
    NavItem(_l("Home"), "main.index"),
    NavItem(_l("Petitions"), "petitions.index"),
    NavItem(_l("Concerns"), "concerns.index"),
    NavItem(_l("Moderation"), "concerns.moderation_queue"),
    NavItem(_l("Categories"), "concerns.categories"),
    NavItem(_l("Reports"), "reports.index"),
    NavItem(_l("Responses"), "responses.feed"),
    NavItem(_l("Dashboard"), "dashboard.overview"),
    NavItem(_l("Invites"), "admin.invites"),
    NavItem(_l("Groups"), "admin.groups"),
    NavItem(_l("Accounts"), "admin.users"),
    NavItem(_l("Settings"), "admin.settings"),
    NavItem(_l("Thresholds"), "responses.threshold_settings"),
    NavItem(_l("Audit log"), "audit.index"),
    NavItem(_l("Account"), "account.overview"),
]


def allowed_roles(endpoint: str) -> frozenset[str]:
    """The roles `endpoint`'s view lets in (every role when it has no @role_required)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        raise LookupError(f"navigation names {endpoint!r}, which no blueprint serves")
    return getattr(view, "allowed_roles", frozenset(str(role) for role in Role))


@dataclass(frozen=True)
class NavLink:
    """One menu entry as a page shows it: label in the page's language, address, current or not."""

    label: str
    url: str
    current: bool


NAVIGATION_CACHE = "voicebox.navigation"


def navigation_for() -> tuple[NavLink, ...]:
    """The navigation items the signed-in user's role may use.

    The same for every page view of one role, endpoint and language, so built once per
    process for each (a bounded set: roles x endpoints x languages).
    """
    if not current_user.is_authenticated:
        return ()
    key = (current_user.role, request.endpoint, str(get_locale()), request.script_root)
    built: dict[tuple[str | None, ...], tuple[NavLink, ...]] = current_app.extensions.setdefault(
        NAVIGATION_CACHE, {}
    )
    found = built.get(key)
    if found is None:
        items = [item for item in NAV_ITEMS if current_user.role in allowed_roles(item.endpoint)]
        here = _current_item(items)
        found = built[key] = tuple(NavLink(str(item.label), item.url, item is here) for item in items)
    return found


def _current_item(items: list[NavItem]) -> NavItem | None:
    """The item for this page: its own endpoint, else the first item of its blueprint."""
    endpoint = request.endpoint or ""
    exact = [item for item in items if item.endpoint == endpoint]
    if exact:
        return exact[0]
    area = endpoint.split(".")[0]
    same_area = [item for item in items if item.endpoint.split(".")[0] == area]
    return same_area[0] if same_area else None
