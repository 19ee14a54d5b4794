"""The API page on the account: how to call the API, and the member's own access tokens."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from voicebox.api import tokens
from voicebox.auth.access import login_required
from voicebox.extensions import db
from voicebox.forms import ConfirmForm
from voicebox.unit_of_work import unit_of_work
from voicebox.web import confirmed_action, current_secrets, today

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api")


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[Length(max=tokens.NAME_MAX)],
        description=_l(
            "What will use it, e.g. “Union spreadsheet”. Tokens only read; they can't sign or post."
        ),
    )


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> str:
    form = TokenForm()
    new_token = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                _row, new_token = tokens.create_token(
                    current_user, form.name.data or "", pepper=current_secrets().pepper, today=today()
                )
        except tokens.TokenError as exc:
            form.name.errors = [str(exc)]
        else:
            form = TokenForm(formdata=None)
    return render_template(
        "api/tokens.html",
        form=form,
        new_token=new_token,
        tokens=tokens.tokens_of(current_user),
        revoke_form=ConfirmForm(),
        api_root=url_for("api.petitions", _external=True).rsplit("/", 1)[0],
    )


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    return confirmed_action(
        lambda: tokens.revoke_token(current_user, token_id, today=today()),
        success=_("Token revoked: scripts using it get 401 from now on."),
        back_to=url_for("api_tokens.index"),
        refused=tokens.TokenError,
    )
