"""Forms for posting concerns, following up by receipt, and moderating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from voicebox.concerns.followup import MESSAGE_MAX
from voicebox.concerns.moderation import CATEGORY_DESCRIPTION_MAX, CATEGORY_NAME_MAX, REASON_MAX
from voicebox.concerns.service import BODY_MAX, TITLE_MAX
from voicebox.labels import LocalCount


class ConcernForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the concern a short title.")), Length(max=TITLE_MAX)],
        description=_l("Up to %(max)s characters. Everyone can read it.", max=TITLE_MAX),
    )
    body = TextAreaField(
        _l("What is the concern?"),
        validators=[DataRequired(_l("Describe the concern.")), Length(max=BODY_MAX)],
        description=_l(
            "Markdown: **bold**, *italic*, lists, links. Up to %(max)s characters. "
            "Stored encrypted. Leave out names, dates and details only you would know.",
            max=LocalCount(BODY_MAX),
        ),
    )
    # Choices are filled by the view from the categories organizers keep; the service
    # rejects anything else, so a forged value gets a message rather than a 500.
    category = SelectField(_l("Category"), validate_choice=False)
    confirm_identifying = BooleanField(_l("I have read the warning and want to post it as written"))
    submit = SubmitField(_l("Post anonymously"))


class FollowupForm(FlaskForm):
    # A password field: the phrase is as good as a key, so browsers shouldn't echo or keep it.
    receipt = PasswordField(
        _l("Receipt phrase"),
        validators=[DataRequired(_l("Type the receipt phrase you were given."))],
        description=_l("The words you wrote down when you posted, separated by spaces."),
    )
    # Length is checked by the service, so a too-long answer comes back inside the open
    # thread with its message kept, instead of on a blank form asking for the phrase again.
    message = TextAreaField(
        _l("Your answer (optional)"),
        validators=[Optional()],
        description=_l(
            "Only organizers and leadership read it. Up to %(max)s characters.", max=LocalCount(MESSAGE_MAX)
        ),
    )
    confirm_identifying = BooleanField(_l("I have read the warning and want to send it as written"))
    submit = SubmitField(_l("Open my thread"))


class ReplyForm(FlaskForm):
    message = TextAreaField(
        _l("Private message to the author"),
        validators=[DataRequired(_l("Write a message first.")), Length(max=MESSAGE_MAX)],
        description=_l(
            "Only the author (with their receipt phrase) reads it. Up to %(max)s characters.",
            max=LocalCount(MESSAGE_MAX),
        ),
    )
    submit = SubmitField(_l("Send to the author"))


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to everyone"),
        validators=[
            DataRequired(_l("Give the reason members will see for hiding it.")),
            Length(max=REASON_MAX),
        ],
        description=_l("Up to %(max)s characters.", max=REASON_MAX),
    )
    submit = SubmitField(_l("Hide"))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validate_choice=False)
    submit = SubmitField(_l("Change status"))


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the category a name.")), Length(max=CATEGORY_NAME_MAX)],
    )
    description = StringField(
        _l("Description (optional)"), validators=[Optional(), Length(max=CATEGORY_DESCRIPTION_MAX)]
    )
    submit = SubmitField(_l("Add category"))
