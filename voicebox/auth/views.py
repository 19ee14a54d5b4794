"""Sign in, sign out, register with an invite, and the first-run set-up link."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from voicebox.auth import service
from voicebox.auth.forms import LoginForm, NewAccountForm, RegisterForm
from voicebox.auth.passwords import PasswordPolicy
from voicebox.extensions import db
from voicebox.models import User
from voicebox.ratelimits import login_limits, per_address, register_limits, strike
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_secrets, error_text, today

bp = Blueprint("auth", __name__)


def password_policy() -> PasswordPolicy:
    """The instance's argon2 policy (one per app, so the dummy hash is made once)."""
    return current_app.extensions["voicebox.password_policy"]


def _home_for_user() -> str:
    return url_for("main.index")


def _start_session(user: User) -> None:
    # A permanent session expires after PERMANENT_SESSION_LIFETIME (VOICEBOX_SESSION_HOURS)
    # even if the browser is never closed: a shared workplace computer forgets it.
    session.permanent = True
    login_user(user)
    # Flask-Login always stores `_id`, a SHA-512 of the address and user agent: short
    # inputs that come back by brute force in under a second (A4). Nothing here reads it.
    session.pop("_id", None)


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_home_for_user())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                user = service.authenticate(
                    form.username.data or "", form.password.data or "", password_policy()
                )
        except service.LoginFailed as exc:
            strike("login")
            form.password.errors = [error_text(exc)]
        else:
            _start_session(user)
            return redirect(_home_for_user())
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> str | Response:
    if current_user.is_authenticated:
        if request.method == "GET":
            return render_template("auth/logout.html")
        # POST only, CSRF-checked: a link on another site can't sign people out.
        # Replacing the account's token ends this session for good: a copy of the old
        # cookie opens nothing afterwards, even though its signature is still valid.
        with unit_of_work(db.session):
            service.end_sessions(current_user.id)
        logout_user()
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@register_limits
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_home_for_user())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                user = service.register_with_invite(
                    form.invite_code.data or "",
                    (form.username.data or "").strip(),
                    form.password.data or "",
                    pepper=current_secrets().pepper,
                    policy=password_policy(),
                    today=today(),
                )
        except service.InvalidInvite as exc:
            strike("invite")
            form.invite_code.errors = [error_text(exc)]
        except service.WeakPassword as exc:
            strike("register")
            form.password.errors = [error_text(exc)]
        except service.AccountError as exc:
            strike("register")
            form.username.errors = [error_text(exc)]
        else:
            _start_session(user)
            flash(_("Welcome to voicebox. Your account is ready."), "success")
            return redirect(_home_for_user())
    return render_template("auth/register.html", form=form)


@bp.route("/setup/<token>", methods=["GET", "POST"])
@per_address("setup_per_address")
def setup(token: str) -> ResponseReturnValue:
    pepper = current_secrets().pepper
    if not service.setup_token_valid(token, pepper):
        return render_template("auth/setup_used.html"), 404
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                user = service.complete_setup(
                    token,
                    (form.username.data or "").strip(),
                    form.password.data or "",
                    pepper=pepper,
                    policy=password_policy(),
                )
        except service.WeakPassword as exc:
            form.password.errors = [error_text(exc)]
        except service.AccountError as exc:
            form.username.errors = [error_text(exc)]
        else:
            _start_session(user)
            flash(_("You are the first admin. Next: issue invites to staff."), "success")
            return redirect(url_for("admin.invites"))
    return render_template("auth/setup.html", form=form, token=token)
