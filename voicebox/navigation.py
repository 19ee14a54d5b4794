"""The site navigation, by role: one list, so templates hold no role logic."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app, request, url_for
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


# Who sees an item is decided by its page's own @role_required; an unknown endpoint is an error.
NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "main.index"),
    NavItem("Petitions", "petitions.index"),
    NavItem("Concerns", "concerns.index"),
    NavItem("Moderation", "concerns.moderation_queue"),
    NavItem("Categories", "concerns.categories"),
    NavItem("Reports", "reports.index"),
    NavItem("Responses", "responses.feed"),
    NavItem("Dashboard", "dashboard.overview"),
    NavItem("Invites", "admin.invites"),
    NavItem("Groups", "admin.groups"),
    NavItem("Accounts", "admin.users"),
    NavItem("Settings", "admin.settings"),
    NavItem("Thresholds", "responses.threshold_settings"),
    NavItem("Audit log", "audit.index"),
    NavItem("Account", "account.overview"),
]


def allowed_roles(endpoint: str) -> frozenset[str]:
    """The roles `endpoint`'s view lets in (every role when it has no @role_required)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        raise LookupError(f"navigation names {endpoint!r}, which no blueprint serves")
    return getattr(view, "allowed_roles", frozenset(str(role) for role in Role))


def navigation_for() -> list[NavItem]:
    """The navigation items the signed-in user's role may use."""
    if not current_user.is_authenticated:
        return []
    items = [item for item in NAV_ITEMS if current_user.role in allowed_roles(item.endpoint)]
    here = _current_item(items)
    return [replace(item, current=item is here) for item in items]


def _current_item(items: list[NavItem]) -> NavItem | None:
    """The item for this page: its own endpoint, else the first item of its blueprint."""
    endpoint = request.endpoint or ""
    exact = [item for item in items if item.endpoint == endpoint]
    if exact:
        return exact[0]
    area = endpoint.split(".")[0]
    same_area = [item for item in items if item.endpoint.split(".")[0] == area]
    return same_area[0] if same_area else None
