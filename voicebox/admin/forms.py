"""Forms for instance settings, groups, roles and invites."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from voicebox.forms import SelectChoice
from voicebox.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize()) for role in Role]


class InviteForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.MEMBER.value)
    uses = IntegerField(
        "How many people may use it",
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=100_000)],
    )
    expires_on = DateField("Expires on (optional)", validators=[Optional()])
    note = StringField(
        "Note for yourself (optional)",
        validators=[Optional(), Length(max=80)],
        description="E.g. 'night shift'. Never a person's name.",
    )
    submit = SubmitField("Create invite")


class SettingsForm(FlaskForm):
    headcount = IntegerField(
        "Staff headcount",
        validators=[Optional(), NumberRange(min=1, max=10_000_000)],
        description="Used to show each petition's share of all staff.",
    )
    small_group_threshold = IntegerField(
        "Small-group threshold (k)",
        validators=[DataRequired(), NumberRange(min=3, max=1000)],
        description="Counts below this are never shown in any breakdown. Minimum 3.",
    )
    cosponsors_needed = IntegerField(
        "Co-sponsors needed before a petition opens",
        validators=[Optional(), NumberRange(min=0, max=100)],
        default=0,
    )
    retention_days = IntegerField(
        "Keep follow-up threads and closed items for (days)",
        validators=[DataRequired(), NumberRange(min=7, max=3650)],
    )
    submit = SubmitField("Save settings")


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    kind = SelectField(
        "Kind", choices=[SelectChoice("department", "Department"), SelectChoice("site", "Site")]
    )
    submit = SubmitField("Add group")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")
