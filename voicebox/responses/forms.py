"""Forms for official responses and response thresholds."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from voicebox.forms import SelectChoice
from voicebox.responses.service import BODY_MAX, STATUSES
from voicebox.responses.thresholds import MAX_DAYS


class ResponseForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(s, s.capitalize()) for s in STATUSES],
        default=STATUSES[0],
        description="A concern moves to this status too when it is a step forward.",
    )
    body = TextAreaField(
        "Response",
        validators=[DataRequired("Write the response text."), Length(max=BODY_MAX)],
        description="Markdown. Shown to everyone, signed by leadership rather than by name.",
    )
    submit = SubmitField("Publish response")


class ThresholdForm(FlaskForm):
    share_percent = IntegerField(
        "Share of staff (%)",
        validators=[
            DataRequired("Give a share of staff from 1 to 100."),
            NumberRange(min=1, max=100, message="Give a share of staff from 1 to 100."),
        ],
    )
    respond_within_days = IntegerField(
        "Leadership responds within (days)",
        validators=[
            DataRequired(f"Give a number of days from 1 to {MAX_DAYS}."),
            NumberRange(min=1, max=MAX_DAYS, message=f"Give a number of days from 1 to {MAX_DAYS}."),
        ],
    )
    submit = SubmitField("Add threshold")
