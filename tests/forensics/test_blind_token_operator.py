"""The operator's view of blind tokens: attribute 0 signatures, "me too"s or co-sponsorships.

The operator here has everything but the clock: every database row, every key in the key
store (the token keys included, unwrapped), the instance secrets, every log line, and
every request body the server received, each signed-in request labelled with its member.
Against the account paths the same operator names every signer, supporter and co-sponsor
(the control, which shows the attack works); against tokens it names none.
"""

from __future__ import annotations

import io
import json
import logging
import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.support import count_queued_now, dump_database
from tests.token_client import Token, b64, fetch_token, unb64
from voicebox import blind_rsa
from voicebox.anonymity import nullifier
from voicebox.models import Role, User
from voicebox.tokens import scopes

MEMBERS = 6


class RequestCapture:
    """WSGI middleware keeping every request's path, cookie and body, as a proxy log would."""

    def __init__(self, wsgi: Callable[..., Any]) -> None:
        self.wsgi = wsgi
        self.seen: list[dict[str, Any]] = []
        self.member: str | None = None  # who the test says is sending signed-in requests

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        cookie = environ.get("HTTP_COOKIE", "")
        self.seen.append(
            {
                "path": environ["PATH_INFO"],
                "cookie": cookie,
                "body": body,
                "member": self.member if cookie else None,
            }
        )
        return self.wsgi(environ, start_response)


def _forms(token: Token) -> list[bytes]:
    """Every way a token could appear in stored or captured bytes."""
    values = [token.message, token.signature, token.hash.encode(), token.phrase.encode()]
    values += [b64(token.message).encode(), b64(token.signature).encode(), token.signature.hex().encode()]
    return values


def _attribute_by_content(
    tokens: list[Token], capture: RequestCapture, dump: str, logs: str
) -> dict[str, str]:
    """Name the member whose own records contain the token in any form."""
    named: dict[str, str] = {}
    for token in tokens:
        owners = {
            seen["member"]
            for seen in capture.seen
            if seen["member"]
            and any(form in seen["body"] or form in seen["cookie"].encode() for form in _forms(token))
        }
        for form in _forms(token):
            text = form.decode("latin-1")
            # A token next to an account in the dump or the logs would name its member.
            if text in dump and "user_id" in dump.split(text)[0][-200:]:
                owners.add("dump")
            if text in logs:
                owners.add("logs")
        if len(owners) == 1:
            named[token.hash] = owners.pop()
    return named


def _attribute_by_algebra(
    tokens: list[Token], issued: dict[str, bytes], blind_sigs: dict[str, bytes], key: Any
) -> dict[str, str]:
    """With the private key: which member's blinded message can have become each token?

    For RSA blind signatures every (issuance, token) pair is consistent with some blinding
    factor r = s'·s⁻¹, so a member is named only if theirs is the one consistent pair.
    """
    numbers = key.private_numbers().public_numbers
    n, e = numbers.n, numbers.e
    named: dict[str, str] = {}
    for token in tokens:
        s = int.from_bytes(token.signature, "big")
        encoded = pow(s, e, n)
        # Without blinding (r = 1) the blinded message would be the encoded message itself.
        unblinded = [
            member for member, blinded in issued.items() if int.from_bytes(blinded, "big") == encoded
        ]
        if len(unblinded) == 1:
            named[token.hash] = unblinded[0]
            continue
        consistent = []
        for member, blinded in issued.items():
            r = int.from_bytes(blind_sigs[member], "big") * pow(s, -1, n) % n
            if int.from_bytes(blinded, "big") == encoded * pow(r, e, n) % n:
                consistent.append(member)
        if len(consistent) == 1:
            named[token.hash] = consistent[0]
    return named


# scope -> (the item a test makes, the table its token actions land in)
SCOPES = {
    "signature": (lambda make_petition, make_concern: make_petition().id, "signatures"),
    "support": (lambda make_petition, make_concern: make_concern()[0].id, "concern_supports"),
    "cosponsor": (lambda make_petition, make_concern: make_petition(status="draft").id, "cosponsorships"),
}


@pytest.mark.parametrize("scope", list(SCOPES))
def test_the_operator_attributes_no_token_action_to_a_member(
    app: Flask,
    make_user: Callable[..., User],
    make_petition: Callable[..., Any],
    make_concern: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
    scope: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    make_item, table = SCOPES[scope]
    item_id = make_item(make_petition, make_concern)
    capture = RequestCapture(app.wsgi_app)
    app.wsgi_app = capture  # type: ignore[method-assign]
    members = [make_user(Role.MEMBER) for _ in range(MEMBERS)]
    tokens: dict[str, Token] = {}
    for member in members:
        client = app.test_client()
        capture.member = member.id
        client.login(member)
        tokens[member.id] = fetch_token(client, item_id, scope=scope)
    capture.member = None
    spent = list(tokens.values())
    random.shuffle(spent)
    for token in spent:
        spender = app.test_client()
        spender.count_after_requests = False
        assert spender.post("/tokens/redeem", json=token.redeem_body(), csrf=False).status_code == 200
    count_queued_now(app)

    keys = app.extensions["voicebox.keys"]
    token_key = blind_rsa.load_private_key(keys.get(scopes.KEY_KINDS[scope], item_id))
    dump = repr(dump_database(app))
    # The operator's record of issuance: each member's blinded message and the answer.
    issued: dict[str, bytes] = {}
    blind_sigs: dict[str, bytes] = {}
    for seen in capture.seen:
        if seen["path"] == "/tokens/issue" and seen["member"]:
            (item,) = json.loads(seen["body"])["tokens"]
            issued[seen["member"]] = unb64(item["blinded_msg"])
            blind_sigs[seen["member"]] = blind_rsa.blind_sign(token_key, issued[seen["member"]])
    assert len(issued) == MEMBERS
    redemptions = [seen for seen in capture.seen if seen["path"] == "/tokens/redeem"]
    assert len(redemptions) == MEMBERS and all(seen["cookie"] == "" for seen in redemptions)

    by_content = _attribute_by_content(spent, capture, dump, caplog.text)
    by_algebra = _attribute_by_algebra(spent, issued, blind_sigs, token_key)
    assert by_content == {}
    assert by_algebra == {}
    # ...and the actions are all there to be attributed.
    assert sum(1 for row in dump_database(app)[table] if row["token_hash"]) == MEMBERS


@pytest.mark.parametrize(
    ("scope", "purpose"), [("signature", "signature"), ("support", "support"), ("cosponsor", "cosponsor")]
)
def test_control_the_same_operator_names_every_account_action(
    app: Flask,
    make_user: Callable[..., User],
    make_petition: Callable[..., Any],
    make_concern: Callable[..., Any],
    scope: str,
    purpose: str,
) -> None:
    make_item, table = SCOPES[scope]
    item_id = make_item(make_petition, make_concern)
    members = [make_user(Role.MEMBER) for _ in range(MEMBERS)]
    for member in members:
        client = app.test_client()
        client.login(member)
        path = {
            "signature": f"/petitions/{item_id}/sign",
            "support": f"/concerns/{item_id}/support",
            "cosponsor": f"/petitions/{item_id}/cosponsor",
        }[scope]
        assert client.post(path).status_code == 302
    count_queued_now(app)
    kind = "concern" if scope == "support" else "petition"
    item_key = app.extensions["voicebox.keys"].get(kind, item_id)
    stored = {row["nullifier"] for row in dump_database(app)[table]}
    named = {member.id for member in members if nullifier(item_key, purpose, member.id) in stored}
    assert len(named) == MEMBERS
