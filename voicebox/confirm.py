"""The confirmation page shown before a destructive or irreversible action.

The page that offers the action links here (GET); this page says what will happen and
posts to the action itself. No JavaScript is involved, so it works everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template
from flask_babel import lazy_gettext as _l
from wtforms import Field


@dataclass(frozen=True)
class Confirmation:
    heading: str
    consequences: list[str]
    action: str
    button: str
    cancel: str
    subject: str = ""
    button_class: str = "button-danger"
    cancel_label: str = _l("Go back")
    reason_field: Field | None = field(default=None)


def render_confirmation(confirmation: Confirmation) -> str:
    return render_template("confirm.html", confirm=confirmation)
