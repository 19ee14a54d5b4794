"""Forms for instance settings, groups, roles and invites."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from voicebox.forms import SelectChoice
from voicebox.models import Role

# Each role's name as a choice reads it; the submitted value stays the stored English one.
ROLE_NAMES = {
    Role.MEMBER.value: _l("Member"),
    Role.ORGANIZER.value: _l("Organizer"),
    Role.LEADERSHIP.value: _l("Leadership"),
    Role.ADMIN.value: _l("Admin"),
}
ROLE_CHOICES = [SelectChoice(role.value, ROLE_NAMES[role.value]) for role in Role]


class InviteForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.MEMBER.value)
    uses = IntegerField(
        _l("How many people may use it"),
        default=1,
        validators=[DataRequired(), NumberRange(min=1, max=100_000)],
    )
    expires_on = DateField(_l("Expires on (optional)"), validators=[Optional()])
    note = StringField(
        _l("Note for yourself (optional)"),
        validators=[Optional(), Length(max=80)],
        description=_l("E.g. 'night shift'. Never a person's name."),
    )
    submit = SubmitField(_l("Create invite"))


class SettingsForm(FlaskForm):
    headcount = IntegerField(
        _l("Staff headcount"),
        validators=[Optional(), NumberRange(min=1, max=10_000_000)],
        description=_l("Used to show each petition's share of all staff."),
    )
    small_group_threshold = IntegerField(
        _l("Small-group threshold (k)"),
        validators=[DataRequired(), NumberRange(min=3, max=1000)],
        description=_l("Counts below this are never shown in any breakdown. Minimum 3."),
    )
    cosponsors_needed = IntegerField(
        _l("Co-sponsors needed before a petition opens"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        default=0,
    )
    retention_days = IntegerField(
        _l("Keep follow-up threads and closed items for (days)"),
        validators=[DataRequired(), NumberRange(min=7, max=3650)],
    )
    submit = SubmitField(_l("Save settings"))


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice("department", _l("Department")), SelectChoice("site", _l("Site"))]
    )
    submit = SubmitField(_l("Add group"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))
