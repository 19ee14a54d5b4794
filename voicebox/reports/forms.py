"""The report compose form and the publish button."""

from __future__ import annotations

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
    title = StringField("Title", validators=[Length(max=TITLE_MAX)])
    period_start = DateField("Period starts on", validators=[Optional()])
    period_end = DateField("Period ends on", validators=[Optional()])
    petitions = CheckboxesField("Petitions to include", validate_choice=False)
    concerns = CheckboxesField("Concerns to include", validate_choice=False)
    comments = CheckboxesField(
        "Signing comments to quote",
        validate_choice=False,
        description="From the petitions this report includes (save first to see a new petition's comments).",
    )
    narrative = TextAreaField(
        "Narrative",
        validators=[Length(max=NARRATIVE_MAX)],
        description="Markdown. What happened in the period, in your words.",
    )
    submit = SubmitField("Save and preview")


class PublishForm(FlaskForm):
    # The version the organizer saw: a second click (or a second organizer) publishing
    # the same thing is recognised and makes no second version.
    expected_version = HiddenField()
    submit = SubmitField("Publish")
