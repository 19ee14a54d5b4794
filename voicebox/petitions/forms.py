"""Forms for starting and signing petitions."""

from __future__ import annotations

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

IDENTIFYING_CONFIRM = "I have read the warning and want to keep the text as written"


class PetitionForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the petition a title."), Length(max=TITLE_MAX)],
        description=f"Up to {TITLE_MAX} characters.",
    )
    body = TextAreaField(
        "What are you asking for?",
        validators=[DataRequired("Say what the petition asks for."), Length(max=BODY_MAX)],
        description=f"Markdown: **bold**, *italic*, lists, links. Up to {BODY_MAX:,} characters.",
    )
    goal = IntegerField(
        "Signature goal",
        validators=[
            InputRequired("Set a goal: how many signatures?"),
            NumberRange(min=1, max=GOAL_MAX, message=f"Choose a goal from 1 to {GOAL_MAX:,}."),
        ],
    )
    closes_on = DateField(
        "Closes on (optional)",
        validators=[Optional()],
        description="After this day the petition closes and signatures become permanent.",
    )
    confirm_identifying = BooleanField(IDENTIFYING_CONFIRM)
    submit = SubmitField("Save draft")


class SignForm(FlaskForm):
    display_name = StringField(
        "Public name (optional)",
        validators=[Optional(), Length(max=DISPLAY_NAME_MAX)],
        description="Leave empty to sign anonymously. A name you give here is shown to everyone.",
    )
    group = SelectField(
        "Your department or site (optional)",
        validators=[Optional()],
        description="Only shown in totals of at least the small-group threshold.",
        validate_choice=False,
    )
    comment = TextAreaField(
        "Comment (optional)",
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description=(
            "Stored encrypted. Organizers and leadership read comments without your name, date or group, "
            "in random order, once the petition has enough signatures; organizers may quote them in a "
            "report or hide them with a public reason. Avoid details that identify you."
        ),
    )
    confirm_identifying = BooleanField(IDENTIFYING_CONFIRM)
    submit = SubmitField("Sign this petition")


class RejectForm(FlaskForm):
    reason = StringField(
        "Reason shown to everyone",
        validators=[
            DataRequired("Give the reason members will see for rejecting it."),
            Length(max=REJECT_REASON_MAX),
        ],
        description=f"Up to {REJECT_REASON_MAX} characters. It appears on the petition and in the audit log.",
    )
