"""Blind-token signing: issuance (signed in), and redemption and withdrawal with no account.

Redemption and withdrawal carry no ambient authority (no session, no CSRF cookie: the
token is the authority), so they are exempt from CSRF, and they refuse any request that
carries the sign-in cookie: such a request would tie the token to the account.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox import blind_rsa
from voicebox.anonymity import receipt_wordlist
from voicebox.auth.access import login_required, role_required
from voicebox.extensions import csrf, db
from voicebox.messages import N_
from voicebox.models import PARTICIPANT_ROLES
from voicebox.petitions import service as petitions
from voicebox.ratelimits import per_address, strike, token_issuance_limit
from voicebox.tokens import service
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_keys, current_secrets, error_text, today, translate

bp = Blueprint("tokens", __name__)

_PETITION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_PETITIONS_PER_REQUEST = 500
COOKIE_REFUSED = N_(
    "This request carried your sign-in cookie, which would tie the token to your account. "
    "Nothing was stored. Sign from the petition page, which sends tokens without cookies."
)


def _refuse(message: str, status: int = 400) -> tuple[Response, int]:
    # Shown on the petition page; these requests carry no cookie, so Accept-Language decides.
    return jsonify(error=translate(message)), status


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) > 4096:
        return None
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def _b64_text(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json_body() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _carries_account() -> bool:
    names = (
        current_app.config["SESSION_COOKIE_NAME"],
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    return any(name in request.cookies for name in names)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    return value if isinstance(value, str) else ""


@bp.post("/tokens/keys")
@role_required(*PARTICIPANT_ROLES)
def keys() -> Response:
    """Every open petition's token public key; creating a key is why this is a POST."""
    found = service.token_keys(keys=current_keys(), today=today())
    return jsonify(
        suite=blind_rsa.SUITE,
        petitions=[
            {"id": key.petition_id, "title": key.title, "public_key": _b64_text(key.public_key_der)}
            for key in found
        ],
    )


@bp.post("/tokens/issue")
@role_required(*PARTICIPANT_ROLES)
@token_issuance_limit
def issue() -> Response | tuple[Response, int]:
    body = _json_body()
    tokens = body.get("tokens") if body else None
    if not isinstance(tokens, list) or len(tokens) > MAX_PETITIONS_PER_REQUEST:
        return _refuse(N_("Send a list of blinded tokens, one per petition."))
    blinded: dict[str, bytes] = {}
    for item in tokens:
        petition_id = item.get("petition_id") if isinstance(item, dict) else None
        message = _b64(item.get("blinded_msg")) if isinstance(item, dict) else None
        if not isinstance(petition_id, str) or not _PETITION_ID.match(petition_id) or message is None:
            return _refuse(N_("Each token needs a petition id and a blinded message (base64url)."))
        blinded[petition_id] = message
    with unit_of_work(db.session):
        answers = service.issue_tokens(current_user.id, blinded, keys=current_keys(), today=today())
    return jsonify(
        signatures=[
            {"petition_id": petition_id, "blind_sig": _b64_text(answer)}
            if isinstance(answer, bytes)
            else {"petition_id": petition_id, "error": answer}
            for petition_id, answer in answers.items()
        ]
    )


def _cookie_less_request() -> tuple[dict[str, Any] | None, tuple[Response, int] | None]:
    if _carries_account():
        return None, _refuse(COOKIE_REFUSED)
    body = _json_body()
    petition_id = body.get("petition_id") if body else None
    if body is None or not isinstance(petition_id, str) or not _PETITION_ID.match(petition_id):
        return None, _refuse(N_("Send JSON with the petition's id."))
    return body, None


@bp.post("/tokens/redeem")
@csrf.exempt
@per_address("token_misses_per_address", strike_kind="token")
def redeem() -> tuple[Response, int]:
    body, refused = _cookie_less_request()
    if refused or body is None:
        return refused or _refuse(N_("Send JSON."))
    message, signature = _b64(body.get("token")), _b64(body.get("signature"))
    if message is None or signature is None:
        strike("token")
        return _refuse(N_("Send the token and its signature (base64url)."))
    choice = petitions.SignatureChoice(
        display_name=_text(body, "display_name"), comment=_text(body, "comment")
    )
    try:
        with unit_of_work(db.session):
            service.redeem_token(
                body["petition_id"], message, signature, choice, keys=current_keys(), today=today()
            )
    except petitions.PetitionNotFound:
        strike("token")
        return _refuse(N_("There is no such petition."), 404)
    except petitions.AlreadySigned as exc:
        return _refuse(error_text(exc), 409)
    except petitions.PetitionError as exc:
        strike("token")
        return _refuse(error_text(exc))
    return jsonify(
        ok=True, message=_("Thank you for signing. Your signature joins the count within a minute.")
    ), 200


@bp.post("/tokens/withdraw")
@csrf.exempt
@per_address("token_misses_per_address", strike_kind="token")
def withdraw() -> tuple[Response, int]:
    body, refused = _cookie_less_request()
    if refused or body is None:
        return refused or _refuse(N_("Send JSON."))
    try:
        with unit_of_work(db.session):
            service.withdraw_with_phrase(
                body["petition_id"], _text(body, "phrase"), keys=current_keys(), secrets=current_secrets()
            )
    except petitions.PetitionNotFound:
        strike("token")
        return _refuse(N_("There is no such petition."), 404)
    except petitions.PetitionError as exc:
        strike("token")
        return _refuse(error_text(exc))
    return jsonify(ok=True, message=_("The signature made with this phrase has been withdrawn.")), 200


@bp.get("/tokens/words")
def words() -> Response:
    """The phrase word list (the receipts' list), the same for everyone; no cookie needed."""
    response = jsonify(words=list(receipt_wordlist()))
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/petitions/<petition_id>/tokens")
@login_required
def counted(petition_id: str) -> str | Response:
    """The counted token hashes and their Merkle root; the page checks a phrase in the browser."""
    if not _PETITION_ID.match(petition_id):
        abort(404)
    try:
        petition = petitions.get_petition(petition_id)
    except petitions.PetitionNotFound:
        abort(404)
    if petition.is_draft or petition.is_rejected:
        abort(404)
    found = service.counted_tokens(petition.id)
    if request.args.get("format") == "json":
        return jsonify(petition_id=petition.id, root=found.root, token_hashes=found.token_hashes)
    fingerprint = service.key_fingerprint(petition.id, current_keys())
    return render_template("tokens/counted.html", petition=petition, inclusion=found, fingerprint=fingerprint)
