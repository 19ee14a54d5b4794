"""Forms shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    """A button-only form (withdraw, revoke, hide...): it exists to carry the CSRF token."""

    submit = SubmitField("Confirm")
