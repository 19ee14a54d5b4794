"""A member's browser in blind-token signing, driven through the Flask test client.

Issuance goes through the member's signed-in client (session cookie, CSRF header); the
returned token is then spent through a separate client that has no cookie at all, as
static/js/tokens.js does with fetch(..., {credentials: 'omit'}).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from tests import blind_client
from voicebox import blind_rsa
from voicebox.anonymity import new_receipt_phrase
from voicebox.tokens import scopes, service
from voicebox.tokens.scopes import SIGNATURE


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Token:
    petition_id: str  # the item's id: a petition's, a concern's or a draft's
    phrase: str
    message: bytes
    signature: bytes
    scope: str = SIGNATURE

    @property
    def item_id(self) -> str:
        return self.petition_id

    @property
    def hash(self) -> str:
        return service.token_hash(self.message)

    def redeem_body(self, **extra: Any) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "item_id": self.item_id,
            "token": b64(self.message),
            "signature": b64(self.signature),
            **extra,
        }

    def withdraw_body(self, phrase: str | None = None) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "item_id": self.item_id,
            "phrase": self.phrase if phrase is None else phrase,
        }


def post_json(client: Any, url: str, body: dict[str, Any]) -> Any:
    """A signed-in JSON POST carrying the CSRF header, like tokens.js's postJSON."""
    return client.post(url, json=body, csrf=False, headers={"X-CSRFToken": client.csrf_token()})


def public_keys(client: Any, scope: str = SIGNATURE) -> dict[str, bytes]:
    """The public key of every item taking `scope` tokens, by item id."""
    response = post_json(client, "/tokens/keys", {})
    assert response.status_code == 200, response.get_data(as_text=True)
    items = response.get_json()["items"]
    return {item["id"]: unb64(item["public_key"]) for item in items if item["scope"] == scope}


def fetch_token(client: Any, petition_id: str, phrase: str | None = None, scope: str = SIGNATURE) -> Token:
    """Blind, get signed, finalize: the member's token for one item and scope."""
    public = blind_rsa.load_public_key(public_keys(client, scope)[petition_id])
    phrase = phrase or new_receipt_phrase()
    message = scopes.token_message(scope, petition_id, phrase)
    blinded = blind_client.blind(public, message)
    response = post_json(
        client,
        "/tokens/issue",
        {"tokens": [{"scope": scope, "item_id": petition_id, "blinded_msg": b64(blinded.blinded_msg)}]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    (answer,) = response.get_json()["signatures"]
    assert "blind_sig" in answer, answer
    signature = blind_client.finalize(public, message, unb64(answer["blind_sig"]), blinded.inv)
    return Token(petition_id, phrase, message, signature, scope)
