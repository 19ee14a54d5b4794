"""A member's own account pages: overview, password change, data download, deletion."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from voicebox.auth import account
from voicebox.auth.access import login_required
from voicebox.auth.forms import DeleteAccountForm, PasswordChangeForm
from voicebox.auth.service import AccountError, LoginFailed, WeakPassword
from voicebox.extensions import db
from voicebox.ratelimits import per_account, strike
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_keys, current_secrets, error_text, today

bp = Blueprint("account", __name__, url_prefix="/account")


def _policy():  # noqa: ANN202 - a PasswordPolicy
    return current_app.extensions["voicebox.password_policy"]


def _deleted_message(signatures: int, supports: int) -> str:
    """The goodbye message, naming what was withdrawn on the way out."""
    taken_back = []
    if signatures:
        taken_back.append(ngettext("%(num)s signature", "%(num)s signatures", signatures))
    if supports:
        taken_back.append(ngettext('%(num)s "me too"', '%(num)s "me too"s', supports))
    if len(taken_back) == 2:
        return _(
            "Your account is deleted and %(signatures)s and %(supports)s withdrawn.",
            signatures=taken_back[0],
            supports=taken_back[1],
        )
    if taken_back:
        return _("Your account is deleted and %(what)s withdrawn.", what=taken_back[0])
    return _("Your account is deleted.")


@bp.get("")
@login_required
def overview() -> str:
    return render_template("account/overview.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
@per_account("password_failures_per_account", strike_kind="password")
def password() -> str | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                user = account.change_password(
                    current_user.id,
                    form.current_password.data or "",
                    form.password.data or "",
                    policy=_policy(),
                )
        except LoginFailed as exc:
            strike("password")
            form.current_password.errors = [error_text(exc)]
        except WeakPassword as exc:
            form.password.errors = [error_text(exc)]
        else:
            # This browser continues under the new token; every other one is signed out.
            login_user(user)
            flash(_("Password changed. Every other session has been signed out."), "success")
            return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form)


@bp.get("/data")
@login_required
def data() -> Response:
    payload = account.member_data(current_user.id, current_secrets(), current_keys())
    return Response(
        json.dumps(payload, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="voicebox-my-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@per_account("password_failures_per_account", strike_kind="password")
def delete() -> str | Response:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                summary = account.delete_account(
                    current_user.id,
                    form.password.data or "",
                    withdraw=bool(form.withdraw.data),
                    secrets=current_secrets(),
                    keys=current_keys(),
                    policy=_policy(),
                    today=today(),
                )
        except LoginFailed as exc:
            form.password.errors = [error_text(exc)]
        except AccountError as exc:
            flash(error_text(exc), "error")
        else:
            logout_user()
            flash(_deleted_message(summary.withdrawn_signatures, summary.withdrawn_supports), "info")
            return redirect(url_for("main.index"))
    keys = current_keys()
    return render_template(
        "account/delete.html",
        form=form,
        signed=account.signed_petitions(current_user.id, keys),
        supported=account.supported_concerns(current_user.id, keys),
    )
