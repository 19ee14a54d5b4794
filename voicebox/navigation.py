"""The site navigation, by role: one list, so templates hold no role logic."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def current(self) -> bool:
        return (
            request.endpoint is not None
            and request.endpoint.split(".")[0] == self.endpoint.split(".")[0]
        )


# Areas add themselves here; `endpoint` must exist or the item is skipped.
NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "main.index"),
    NavItem("Petitions", "petitions.index"),
    NavItem("Concerns", "concerns.index"),
    NavItem("Moderation", "concerns.moderation_queue", (Role.ORGANIZER,)),
    NavItem("Categories", "concerns.categories", (Role.ORGANIZER,)),
    NavItem("Invites", "admin.invites", (Role.ADMIN, Role.ORGANIZER)),
    NavItem("Groups", "admin.groups", (Role.ADMIN, Role.ORGANIZER)),
    NavItem("Accounts", "admin.users", (Role.ADMIN,)),
    NavItem("Settings", "admin.settings", (Role.ADMIN,)),
    NavItem("Audit log", "audit.index"),
    NavItem("Account", "account.overview"),
]


def navigation_for() -> list[NavItem]:
    """The navigation items the signed-in user's role may use."""
    if not current_user.is_authenticated:
        return []
    endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    return [
        item
        for item in NAV_ITEMS
        if item.endpoint in endpoints and current_user.has_role(*item.roles)
    ]
