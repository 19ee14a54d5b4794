"""The report compose form and the publish button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from voicebox.reports.service import NARRATIVE_MAX, TITLE_MAX


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportForm(FlaskForm):
    # Rules (required fields, period order, a selection) live in the service, which
    # answers with per-field messages; the form only parses.
    title = StringField(_l("Title"), validators=[Length(max=TITLE_MAX)])
    period_start = DateField(_l("Period starts on"), validators=[Optional()])
    period_end = DateField(_l("Period ends on"), validators=[Optional()])
    petitions = CheckboxesField(_l("Petitions to include"), validate_choice=False)
    concerns = CheckboxesField(_l("Concerns to include"), validate_choice=False)
    comments = CheckboxesField(
        _l("Signing comments to quote"),
        validate_choice=False,
        description=_l(
            "From the petitions this report includes (save first to see a new petition's comments)."
        ),
    )
    narrative = TextAreaField(
        _l("Narrative"),
        validators=[Length(max=NARRATIVE_MAX)],
        description=_l("Markdown. What happened in the period, in your words."),
    )
    submit = SubmitField(_l("Save and preview"))


class PublishForm(FlaskForm):
    # The version the organizer saw: a second click (or a second organizer) publishing
    # the same thing is recognised and makes no second version.
    expected_version = HiddenField()
    submit = SubmitField(_l("Publish"))
