"""Forms shared by every area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

# WTForms 3.3's named choice; the pinned types-WTForms stubs (3.2) don't have it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

__all__ = ["ConfirmForm", "SelectChoice"]


class ConfirmForm(FlaskForm):
    """A button-only form (withdraw, revoke, hide...): it exists to carry the CSRF token."""

    submit = SubmitField(_l("Confirm"))
