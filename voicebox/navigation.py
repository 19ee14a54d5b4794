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
    roles: tuple[Role, ...] = tuple(Role)

    @property
    def url(self) -> str:
        return url_for(self.endpoint)

    current: bool = False


# Areas add themselves here; `endpoint` must exist or the item is skipped.
NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "main.index"),
    NavItem("Petitions", "petitions.index"),
    NavItem("Concerns", "concerns.index"),
    NavItem("Moderation", "concerns.moderation_queue", (Role.ORGANIZER,)),
    NavItem("Categories", "concerns.categories", (Role.ORGANIZER,)),
    NavItem("Reports", "reports.index"),
    NavItem("Responses", "responses.feed"),
    NavItem("Dashboard", "dashboard.overview", (Role.ORGANIZER,)),
    NavItem("Invites", "admin.invites", (Role.ADMIN, Role.ORGANIZER)),
    NavItem("Groups", "admin.groups", (Role.ADMIN, Role.ORGANIZER)),
    NavItem("Accounts", "admin.users", (Role.ADMIN,)),
    NavItem("Settings", "admin.settings", (Role.ADMIN,)),
    NavItem("Thresholds", "responses.threshold_settings", (Role.ADMIN,)),
    NavItem("Audit log", "audit.index"),
    NavItem("Account", "account.overview"),
]


def navigation_for() -> list[NavItem]:
    """The navigation items the signed-in user's role may use."""
    if not current_user.is_authenticated:
        return []
    # The URL map is fixed once the app is built: collect its endpoints once, not per page.
    endpoints = current_app.extensions.get("voicebox.endpoints")
    if endpoints is None:
        endpoints = frozenset(rule.endpoint for rule in current_app.url_map.iter_rules())
        current_app.extensions["voicebox.endpoints"] = endpoints
    items = [
        item
        for item in NAV_ITEMS
        if item.endpoint in endpoints and current_user.has_role(*item.roles)
    ]
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
