"""Admin and organizer pages: invites, settings, groups, roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox.admin import service
from voicebox.admin.forms import ROLE_NAMES, GroupForm, InviteForm, RoleForm, SettingsForm
from voicebox.auth import service as accounts
from voicebox.auth.access import role_required
from voicebox.extensions import db
from voicebox.forms import ConfirmForm, SelectChoice
from voicebox.models import Role
from voicebox.settings import instance_settings
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, current_secrets, today

bp = Blueprint("admin", __name__, url_prefix="/admin")

# A group's kind as the groups page names it; the stored value stays English.
GROUP_KINDS = {"department": _l("department"), "site": _l("site")}


def _invitable_roles() -> list[str]:
    # Organizers bring in colleagues; only admins hand out privileged roles.
    if current_user.has_role(Role.ADMIN):
        return [role.value for role in Role]
    return [Role.MEMBER.value]


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = [SelectChoice(role, ROLE_NAMES[role]) for role in _invitable_roles()]
    return form


@bp.route("/invites", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.ORGANIZER)
def invites() -> str:
    form = _invite_form()
    new_code = None
    if form.validate_on_submit():
        if form.role.data not in _invitable_roles():
            abort(403)
        try:
            with unit_of_work(db.session):
                new_code = accounts.create_invite(
                    Role(form.role.data),
                    uses=form.uses.data or 1,
                    expires_on=form.expires_on.data,
                    pepper=current_secrets().pepper,
                    actor_role=current_user.role,
                    today=today(),
                    note=form.note.data or "",
                )
        except accounts.AccountError as exc:
            form.uses.errors = [str(exc)]
    return render_template(
        "admin/invites.html",
        form=form,
        new_code=new_code,
        invites=service.list_invites(),
        revoke_form=ConfirmForm(),
        today=today(),
    )


@bp.post("/invites/<int:invite_id>/revoke")
@role_required(Role.ADMIN, Role.ORGANIZER)
def revoke_invite(invite_id: int) -> Response:
    return confirmed_action(
        lambda: service.revoke_invite(invite_id, actor_role=current_user.role, today=today()),
        success=_("Invite revoked."),
        back_to=url_for("admin.invites"),
        refused=service.AdminError,
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings() -> str | Response:
    current = instance_settings()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        change = service.SettingsChange(
            headcount=form.headcount.data,
            small_group_threshold=form.small_group_threshold.data or 5,
            cosponsors_needed=form.cosponsors_needed.data or 0,
            retention_days=form.retention_days.data or 365,
        )
        try:
            with unit_of_work(db.session):
                service.update_settings(change, actor_role=current_user.role, today=today())
        except service.AdminError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)


@bp.route("/groups", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.ORGANIZER)
def groups() -> str | Response:
    form = GroupForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                service.add_group(
                    form.name.data or "",
                    form.kind.data or "",
                    actor_role=current_user.role,
                    today=today(),
                )
        except service.AdminError as exc:
            form.name.errors = [str(exc)]
        else:
            flash(_("Group added."), "success")
            return redirect(url_for("admin.groups"))
    return render_template(
        "admin/groups.html", form=form, groups=service.list_groups(), group_kinds=GROUP_KINDS
    )


@bp.route("/users", methods=["GET"])
@role_required(Role.ADMIN)
def users() -> str:
    return render_template("admin/users.html", users=service.list_users(), form=RoleForm())


@bp.post("/users/<user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: str) -> Response:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
        return redirect(url_for("admin.users"))
    try:
        with unit_of_work(db.session):
            service.change_role(user_id, Role(form.role.data), actor=current_user, today=today())
    except service.AdminError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Role changed. That account's sessions have ended."), "success")
    return redirect(url_for("admin.users"))
