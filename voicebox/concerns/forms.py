"""Forms for posting concerns, following up by receipt, and moderating."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from voicebox.concerns.followup import MESSAGE_MAX
from voicebox.concerns.moderation import CATEGORY_DESCRIPTION_MAX, CATEGORY_NAME_MAX, REASON_MAX
from voicebox.concerns.service import BODY_MAX, TITLE_MAX


class ConcernForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the concern a short title."), Length(max=TITLE_MAX)],
        description=f"Up to {TITLE_MAX} characters. Everyone can read it.",
    )
    body = TextAreaField(
        "What is the concern?",
        validators=[DataRequired("Describe the concern."), Length(max=BODY_MAX)],
        description=(
            f"Markdown: **bold**, *italic*, lists, links. Up to {BODY_MAX:,} characters. "
            "Stored encrypted. Leave out names, dates and details only you would know."
        ),
    )
    # Choices are filled by the view from the categories organizers keep; the service
    # rejects anything else, so a forged value gets a message rather than a 500.
    category = SelectField("Category", validate_choice=False)
    confirm_identifying = BooleanField("I have read the warning and want to post it as written")
    submit = SubmitField("Post anonymously")


class FollowupForm(FlaskForm):
    # A password field: the phrase is as good as a key, so browsers shouldn't echo or keep it.
    receipt = PasswordField(
        "Receipt phrase",
        validators=[DataRequired("Type the receipt phrase you were given.")],
        description="The words you wrote down when you posted, separated by spaces.",
    )
    # Length is checked by the service, so a too-long answer comes back inside the open
    # thread with its message kept, instead of on a blank form asking for the phrase again.
    message = TextAreaField(
        "Your answer (optional)",
        validators=[Optional()],
        description=f"Only organizers and leadership read it. Up to {MESSAGE_MAX:,} characters.",
    )
    confirm_identifying = BooleanField("I have read the warning and want to send it as written")
    submit = SubmitField("Open my thread")


class ReplyForm(FlaskForm):
    message = TextAreaField(
        "Private message to the author",
        validators=[DataRequired("Write a message first."), Length(max=MESSAGE_MAX)],
        description=(
            f"Only the author (with their receipt phrase) reads it. Up to {MESSAGE_MAX:,} characters."
        ),
    )
    submit = SubmitField("Send to the author")


class HideForm(FlaskForm):
    reason = StringField(
        "Reason shown to everyone",
        validators=[DataRequired("Give the reason members will see for hiding it."), Length(max=REASON_MAX)],
        description=f"Up to {REASON_MAX} characters.",
    )
    submit = SubmitField("Hide")


class StatusForm(FlaskForm):
    status = SelectField("New status", validate_choice=False)
    submit = SubmitField("Change status")


class CategoryForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Give the category a name."), Length(max=CATEGORY_NAME_MAX)],
    )
    description = StringField(
        "Description (optional)", validators=[Optional(), Length(max=CATEGORY_DESCRIPTION_MAX)]
    )
    submit = SubmitField("Add category")
