"""Forms for official responses and response thresholds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from voicebox.forms import SelectChoice
from voicebox.responses.service import BODY_MAX, STATUSES
from voicebox.responses.thresholds import MAX_DAYS

# A status as the choice reads it; the submitted value stays the stored English one.
STATUS_CHOICES = {
    "acknowledged": _l("Acknowledged"),
    "in progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "declined": _l("Declined"),
}


class ResponseForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_CHOICES[s]) for s in STATUSES],
        default=STATUSES[0],
        description=_l("A concern moves to this status too when it is a step forward."),
    )
    body = TextAreaField(
        _l("Response"),
        validators=[DataRequired(_l("Write the response text.")), Length(max=BODY_MAX)],
        description=_l("Markdown. Shown to everyone, signed by leadership rather than by name."),
    )
    submit = SubmitField(_l("Publish response"))


class ThresholdForm(FlaskForm):
    share_percent = IntegerField(
        _l("Share of staff (%)"),
        validators=[
            DataRequired(_l("Give a share of staff from 1 to 100.")),
            NumberRange(min=1, max=100, message=_l("Give a share of staff from 1 to 100.")),
        ],
    )
    respond_within_days = IntegerField(
        _l("Leadership responds within (days)"),
        validators=[
            DataRequired(_l("Give a number of days from 1 to %(max)s.", max=MAX_DAYS)),
            NumberRange(
                min=1, max=MAX_DAYS, message=_l("Give a number of days from 1 to %(max)s.", max=MAX_DAYS)
            ),
        ],
    )
    submit = SubmitField(_l("Add threshold"))
