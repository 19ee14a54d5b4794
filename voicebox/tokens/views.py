"""Blind tokens: issuance (signed in), redemption and withdrawal with no account, counted lists.

Redemption and withdrawal carry no ambient authority (no session, no CSRF cookie: the
token is the authority), so they are exempt from CSRF, and they refuse any request that
carries the sign-in cookie: such a request would tie the token to the account.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voicebox import blind_rsa
from voicebox.anonymity import receipt_wordlist
from voicebox.auth.access import login_required, role_required
from voicebox.extensions import csrf, db
from voicebox.messages import N_
from voicebox.models import PARTICIPANT_ROLES, Concern
from voicebox.petitions import service as petitions
from voicebox.ratelimits import per_address, strike, token_issuance_limit
from voicebox.tokens import items, scopes, service
from voicebox.tokens.rules import TokenError
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_keys, current_secrets, error_text, today, translate

bp = Blueprint("tokens", __name__)

_ITEM_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_ITEMS_PER_REQUEST = 500
COOKIE_REFUSED = N_(
    "This request carried your sign-in cookie, which would tie the token to your account. "
    "Nothing was stored. Use the item's page, which sends tokens without cookies."
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
    """The token key of every item taking tokens, per scope; creating a key is why this is a POST."""
    found = service.token_keys(keys=current_keys(), today=today())
    return jsonify(
        suite=blind_rsa.SUITE,
        items=[
            {
                "scope": key.scope,
                "id": key.item_id,
                "title": key.title,
                "public_key": _b64_text(key.public_key_der),
            }
            for key in found
        ],
    )


def _scope_and_item(body: dict[str, Any]) -> tuple[str, str] | None:
    """(scope, item id) from a request item; `petition_id` and no scope mean a signature."""
    scope = body.get("scope", scopes.SIGNATURE)
    item_id = body.get("item_id", body.get("petition_id"))
    if scope not in scopes.SCOPES or not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
        return None
    return scope, item_id


@bp.post("/tokens/issue")
@role_required(*PARTICIPANT_ROLES)
@token_issuance_limit
def issue() -> Response | tuple[Response, int]:
    body = _json_body()
    tokens = body.get("tokens") if body else None
    if not isinstance(tokens, list) or len(tokens) > MAX_ITEMS_PER_REQUEST:
        return _refuse(N_("Send a list of blinded tokens, one per item."))
    blinded: dict[tuple[str, str], bytes] = {}
    for item in tokens:
        named = _scope_and_item(item) if isinstance(item, dict) else None
        message = _b64(item.get("blinded_msg")) if isinstance(item, dict) else None
        if named is None or message is None:
            return _refuse(N_("Each token needs a scope, an item id and a blinded message (base64url)."))
        blinded[named] = message
    with unit_of_work(db.session):
        answers = service.issue_tokens(current_user.id, blinded, keys=current_keys(), today=today())
    return jsonify(
        signatures=[
            {"scope": scope, "item_id": item_id, "blind_sig": _b64_text(answer)}
            if isinstance(answer, bytes)
            else {"scope": scope, "item_id": item_id, "error": translate(answer)}
            for (scope, item_id), answer in answers.items()
        ]
    )


def _cookie_less_request() -> tuple[
    dict[str, Any] | None, tuple[str, str] | None, tuple[Response, int] | None
]:
    if _carries_account():
        return None, None, _refuse(COOKIE_REFUSED)
    body = _json_body()
    named = _scope_and_item(body) if body else None
    if body is None or named is None:
        return None, None, _refuse(N_("Send JSON with the token's scope and the item's id."))
    return body, named, None


REDEEMED = {
    scopes.SUPPORT: N_("Thank you. Your “me too” joins the count within a minute."),
    scopes.COSPONSOR: N_("Thank you. Your co-sponsorship joins the count within a minute."),
}


def _redeem_item(scope: str, item_id: str, message: bytes, signature: bytes) -> tuple[Response, int]:
    try:
        with unit_of_work(db.session):
            items.redeem(scope, item_id, message, signature, keys=current_keys(), today=today())
    except items.ItemNotFound as exc:
        strike("token")
        return _refuse(error_text(exc), 404)
    except items.AlreadyCounted as exc:
        return _refuse(error_text(exc), 409)
    except TokenError as exc:
        strike("token")
        return _refuse(error_text(exc))
    return jsonify(ok=True, message=translate(REDEEMED[scope])), 200


@bp.post("/tokens/redeem")
@csrf.exempt
@per_address("token_misses_per_address", strike_kind="token")
def redeem() -> tuple[Response, int]:
    body, named, refused = _cookie_less_request()
    if refused or body is None or named is None:
        return refused or _refuse(N_("Send JSON."))
    message, signature = _b64(body.get("token")), _b64(body.get("signature"))
    if message is None or signature is None:
        strike("token")
        return _refuse(N_("Send the token and its signature (base64url)."))
    scope, item_id = named
    if scope != scopes.SIGNATURE:
        return _redeem_item(scope, item_id, message, signature)
    choice = petitions.SignatureChoice(
        display_name=_text(body, "display_name"), comment=_text(body, "comment")
    )
    try:
        with unit_of_work(db.session):
            service.redeem_token(item_id, message, signature, choice, keys=current_keys(), today=today())
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


def _withdraw(scope: str, item_id: str, phrase: str) -> str:
    """Withdraw with a phrase; returns the message for the member, raises PetitionError."""
    if scope == scopes.COSPONSOR:
        raise TokenError(N_("A co-sponsorship can't be taken back, with a token or with an account."))
    if scope == scopes.SUPPORT:
        with unit_of_work(db.session):
            items.withdraw_support(item_id, phrase, keys=current_keys())
        return _("The “me too” made with this phrase has been taken back.")
    with unit_of_work(db.session):
        service.withdraw_with_phrase(item_id, phrase, keys=current_keys(), secrets=current_secrets())
    return _("The signature made with this phrase has been withdrawn.")


@bp.post("/tokens/withdraw")
@csrf.exempt
@per_address("token_misses_per_address", strike_kind="token")
def withdraw() -> tuple[Response, int]:
    body, named, refused = _cookie_less_request()
    if refused or body is None or named is None:
        return refused or _refuse(N_("Send JSON."))
    try:
        message = _withdraw(*named, _text(body, "phrase"))
    except (petitions.PetitionNotFound, items.ItemNotFound) as exc:
        strike("token")
        return _refuse(error_text(exc), 404)
    except petitions.PetitionError as exc:
        strike("token")
        return _refuse(error_text(exc))
    return jsonify(ok=True, message=message), 200


@bp.get("/tokens/words")
def words() -> Response:
    """The phrase word list (the receipts' list), the same for everyone; no cookie needed."""
    response = jsonify(words=list(receipt_wordlist()))
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def _counted_page(scope: str, item: Any, title: str, back: str) -> str | Response:
    found = service.counted(scope, item.id)
    if request.args.get("format") == "json":
        return jsonify(scope=scope, item_id=item.id, root=found.root, token_hashes=found.token_hashes)
    fingerprint = service.key_fingerprint(item.id, current_keys(), scope)
    return render_template(
        "tokens/counted.html", item=item, title=title, back=back, inclusion=found, fingerprint=fingerprint
    )


def _listed_petition(petition_id: str) -> Any:
    if not _ITEM_ID.match(petition_id):
        abort(404)
    try:
        return petitions.get_petition(petition_id)
    except petitions.PetitionNotFound:
        abort(404)


@bp.get("/petitions/<petition_id>/tokens")
@login_required
def counted(petition_id: str) -> str | Response:
    """The counted signature token hashes and their Merkle root; the page checks a phrase in the browser."""
    petition = _listed_petition(petition_id)
    if petition.is_draft or petition.is_rejected:
        abort(404)
    back = url_for("petitions.detail", petition_id=petition.id)
    return _counted_page(scopes.SIGNATURE, petition, petition.title, back)


@bp.get("/petitions/<petition_id>/cosponsor-tokens")
@login_required
def counted_cosponsors(petition_id: str) -> str | Response:
    """The counted co-sponsorship token hashes (kept after the draft opens) and their root."""
    petition = _listed_petition(petition_id)
    if petition.is_rejected:
        abort(404)
    back = url_for("petitions.detail", petition_id=petition.id)
    return _counted_page(scopes.COSPONSOR, petition, petition.title, back)


@bp.get("/concerns/<concern_id>/tokens")
@login_required
def counted_supports(concern_id: str) -> str | Response:
    """The counted "me too" token hashes and their root; a hidden concern's title stays hidden."""
    if not _ITEM_ID.match(concern_id):
        abort(404)
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        abort(404)
    title = _("Hidden concern") if concern.hidden else concern.title
    back = url_for("concerns.detail", concern_id=concern.id)
    return _counted_page(scopes.SUPPORT, concern, title, back)
