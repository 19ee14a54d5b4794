"""Forms for starting and signing petitions."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from voicebox.petitions.drafts import REASON_MAX as REJECT_REASON_MAX
from voicebox.petitions.service import (
    BODY_MAX,
    COMMENT_MAX,
    DISPLAY_NAME_MAX,
    GOAL_MAX,
    TITLE_MAX,
)

IDENTIFYING_CONFIRM = _l("I have read the warning and want to keep the text as written")


class _Number:
    """A limit in the page language's digit grouping, worked out when the form is shown."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __str__(self) -> str:
        return str(format_decimal(self.value))


def _number(value: int) -> _Number:
    return _Number(value)


class PetitionForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the petition a title.")), Length(max=TITLE_MAX)],
        description=_l("Up to %(max)s characters.", max=TITLE_MAX),
    )
    body = TextAreaField(
        _l("What are you asking for?"),
        validators=[DataRequired(_l("Say what the petition asks for.")), Length(max=BODY_MAX)],
        description=_l(
            "Markdown: **bold**, *italic*, lists, links. Up to %(max)s characters.", max=_number(BODY_MAX)
        ),
    )
    goal = IntegerField(
        _l("Signature goal"),
        validators=[
            InputRequired(_l("Set a goal: how many signatures?")),
            NumberRange(
                min=1, max=GOAL_MAX, message=_l("Choose a goal from 1 to %(max)s.", max=_number(GOAL_MAX))
            ),
        ],
    )
    closes_on = DateField(
        _l("Closes on (optional)"),
        validators=[Optional()],
        description=_l("After this day the petition closes and signatures become permanent."),
    )
    confirm_identifying = BooleanField(IDENTIFYING_CONFIRM)
    submit = SubmitField(_l("Save draft"))


class SignForm(FlaskForm):
    display_name = StringField(
        _l("Public name (optional)"),
        validators=[Optional(), Length(max=DISPLAY_NAME_MAX)],
        description=_l("Leave empty to sign anonymously. A name you give here is shown to everyone."),
    )
    group = SelectField(
        _l("Your department or site (optional)"),
        validators=[Optional()],
        description=_l("Only shown in totals of at least the small-group threshold."),
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description=_l(
            "Stored encrypted. Organizers and leadership read comments without your name, date or group, "
            "in random order, once the petition has enough signatures; organizers may quote them in a "
            "report or hide them with a public reason. Avoid details that identify you."
        ),
    )
    confirm_identifying = BooleanField(IDENTIFYING_CONFIRM)
    submit = SubmitField(_l("Sign this petition"))


class RejectForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to everyone"),
        validators=[
            DataRequired(_l("Give the reason members will see for rejecting it.")),
            Length(max=REJECT_REASON_MAX),
        ],
        description=_l(
            "Up to %(max)s characters. It appears on the petition and in the audit log.",
            max=REJECT_REASON_MAX,
        ),
    )
