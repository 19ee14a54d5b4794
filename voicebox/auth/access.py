"""The one place roles are enforced on views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from voicebox.extensions import login_manager
from voicebox.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let only signed-in users holding one of `roles` through; others get login or 403."""
    allowed = {str(r) for r in roles}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        # Read by the navigation, so a menu item shows exactly to those the page lets in.
        wrapped.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


ANY_ROLE = tuple(Role)
login_required = role_required(*ANY_ROLE)
