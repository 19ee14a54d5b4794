"""Signing with a blind-signed token: issuance, cookie-less redemption, phrase withdrawal,
and the published list of counted tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests import blind_client
from tests.support import count_rows
from tests.token_client import b64, fetch_token, post_json, public_keys
from voicebox import blind_rsa, inclusion
from voicebox.extensions import db
from voicebox.models import Petition, Signature, TokenIssuance
from voicebox.petitions import closing
from voicebox.tokens import service
from voicebox.unit_of_work import unit_of_work


def _cookie_less(app: Flask) -> Any:
    return app.test_client()


def _spend(app: Flask, url: str, body: dict[str, Any]) -> Any:
    """A POST from a client that has never held a cookie (tokens.js: credentials 'omit')."""
    return _cookie_less(app).post(url, json=body, csrf=False)


def _count(petition: Any) -> int:
    return db.session.get(Petition, petition.id).signature_count


def test_a_member_gets_keys_for_every_open_petition_and_none_for_drafts(
    client, member, make_petition
) -> None:
    first, second = make_petition(title="First"), make_petition(title="Second")
    draft = make_petition(status="draft")
    client.login(member)
    found = public_keys(client)
    assert set(found) == {first.id, second.id}
    assert draft.id not in found


def test_issuance_needs_an_account_and_the_csrf_header(app, client, member, make_petition) -> None:
    petition = make_petition()
    # No session: refused (the CSRF check comes first), and no key was handed out.
    assert _spend(app, "/tokens/keys", {}).status_code in (302, 400, 401)
    assert not app.extensions["voicebox.keys"].exists("token", petition.id)
    client.login(member)
    assert client.post("/tokens/keys", json={}, csrf=False).status_code == 400


def test_a_second_issuance_repeats_the_same_blind_signature_and_a_different_one_is_refused(
    client, member, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    public = blind_rsa.load_public_key(public_keys(client)[petition.id])
    message = service.token_message(petition.id, "one two three four five six seven eight")
    blinded = blind_client.blind(public, message)
    body = {"tokens": [{"petition_id": petition.id, "blinded_msg": b64(blinded.blinded_msg)}]}
    first = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    again = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    assert first["blind_sig"] == again["blind_sig"]
    other = blind_client.blind(public, message)
    body = {"tokens": [{"petition_id": petition.id, "blinded_msg": b64(other.blinded_msg)}]}
    refused = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    assert "blind_sig" not in refused
    assert refused["error"] == service.REFUSED
    assert count_rows(TokenIssuance, TokenIssuance.petition_id == petition.id) == 1


def test_malformed_issuance_is_a_clear_400_and_stores_nothing(client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    public_keys(client)
    for body in ({}, {"tokens": "x"}, {"tokens": [{"petition_id": petition.id, "blinded_msg": "%%%"}]}):
        response = post_json(client, "/tokens/issue", body)
        assert response.status_code == 400
        assert response.get_json()["error"]
    short = post_json(
        client, "/tokens/issue", {"tokens": [{"petition_id": petition.id, "blinded_msg": "AAAA"}]}
    )
    assert short.get_json()["signatures"][0]["error"] == "The blinded token is malformed."
    assert count_rows(TokenIssuance) == 0


def test_a_token_signs_once_without_any_cookie_and_is_listed(app, client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    response = _spend(app, "/tokens/redeem", token.redeem_body(display_name="Ada"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert _count(petition) == 1
    row = db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)).one()
    assert row.token_hash == token.hash
    assert row.display_name == "Ada"
    listed = client.get(f"/petitions/{petition.id}/tokens?format=json").get_json()
    assert listed["token_hashes"] == [token.hash]
    assert listed["root"] == inclusion.merkle_root([token.hash])
    page = client.get(f"/petitions/{petition.id}/tokens").get_data(as_text=True)
    assert token.hash in page and listed["root"] in page


def test_a_token_cannot_be_spent_twice(app, client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    assert _spend(app, "/tokens/redeem", token.redeem_body()).status_code == 200
    again = _spend(app, "/tokens/redeem", token.redeem_body())
    assert again.status_code == 409
    assert again.get_json()["error"] == "This token has already signed."
    assert _count(petition) == 1


def test_a_token_spent_twice_in_one_window_counts_once(app, client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    spender = _cookie_less(app)
    spender.count_after_requests = False
    assert spender.post("/tokens/redeem", json=token.redeem_body(), csrf=False).status_code == 200
    assert spender.post("/tokens/redeem", json=token.redeem_body(), csrf=False).status_code == 409
    client.get("/")  # the signed-in client's request flushes the window
    assert _count(petition) == 1


def test_a_forged_or_altered_signature_is_refused(app, client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    altered = token.signature[:-1] + bytes([token.signature[-1] ^ 1])
    body = token.redeem_body(signature=b64(altered))
    response = _spend(app, "/tokens/redeem", body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "This token's signature is not valid for this petition."
    forged_message = service.token_message(petition.id, "a b c d e f g h")
    response = _spend(app, "/tokens/redeem", token.redeem_body(token=b64(forged_message)))
    assert response.status_code == 400
    assert _count(petition) == 0


def test_a_request_carrying_the_sign_in_cookie_is_refused(client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    response = client.post("/tokens/redeem", json=token.redeem_body(), csrf=False)
    assert response.status_code == 400
    assert "sign-in cookie" in response.get_json()["error"]
    assert _count(petition) == 0
    withdraw = client.post(
        "/tokens/withdraw", json={"petition_id": petition.id, "phrase": token.phrase}, csrf=False
    )
    assert withdraw.status_code == 400


def test_a_token_for_one_petition_is_refused_on_another(app, client, member, make_petition) -> None:
    first, second = make_petition(title="First"), make_petition(title="Second")
    client.login(member)
    token = fetch_token(client, first.id)
    response = _spend(app, "/tokens/redeem", token.redeem_body(item_id=second.id))
    assert response.status_code == 400
    assert response.get_json()["error"] == "This token is not for this petition."
    assert _count(second) == 0


def test_withdrawing_with_the_phrase_removes_the_signature_and_its_listing(
    app, client, member, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    _spend(app, "/tokens/redeem", token.redeem_body())
    assert _count(petition) == 1
    wrong = _spend(app, "/tokens/withdraw", {"petition_id": petition.id, "phrase": "not my words at all"})
    assert wrong.status_code == 400
    assert _count(petition) == 1
    # Typed on another device: capitals and dashes don't matter.
    typed = token.phrase.upper().replace(" ", "-")
    response = _spend(app, "/tokens/withdraw", {"petition_id": petition.id, "phrase": typed})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _count(petition) == 0
    assert client.get(f"/petitions/{petition.id}/tokens?format=json").get_json()["token_hashes"] == []


def test_closing_keeps_the_list_and_destroys_the_token_key_and_issuance_records(
    app, client, member, make_petition, organizer
) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    _spend(app, "/tokens/redeem", token.redeem_body())

    keys = app.extensions["voicebox.keys"]
    assert keys.exists("token", petition.id)
    with unit_of_work(db.session):
        closing.close_petition(
            petition.id,
            actor_role="organizer",
            today=petition.opened_on,
            secrets=app.extensions["voicebox.secrets"],
            keys=keys,
        )
    assert not keys.exists("token", petition.id)
    assert count_rows(TokenIssuance) == 0
    assert client.get(f"/petitions/{petition.id}/tokens?format=json").get_json()["token_hashes"] == [
        token.hash
    ]
    late = _spend(app, "/tokens/redeem", token.redeem_body())
    assert late.status_code == 400


def test_the_petition_page_offers_token_signing_and_says_the_account_form_is_linkable(
    client, member, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert 'id="private-signing"' in page
    assert "whoever runs the server can work out" in page
    assert "js/blind-token.bundle.js" in page


def test_a_member_holding_a_token_cannot_also_sign_with_the_account(client, member, make_petition) -> None:
    petition = make_petition()
    client.login(member)
    fetch_token(client, petition.id)
    response = client.post(f"/petitions/{petition.id}/sign", follow_redirects=True)
    assert "Signing with your account as well would count you twice." in response.get_data(as_text=True)
    assert _count(petition) == 0


def test_a_member_who_signed_with_the_account_gets_no_token(client, member, make_petition, sign) -> None:
    petition = make_petition()
    sign(petition, member)
    client.login(member)
    public = blind_rsa.load_public_key(public_keys(client)[petition.id])
    blinded = blind_client.blind(
        public, service.token_message(petition.id, "one two three four five six seven eight")
    )
    body = {"tokens": [{"petition_id": petition.id, "blinded_msg": b64(blinded.blinded_msg)}]}
    (answer,) = post_json(client, "/tokens/issue", body).get_json()["signatures"]
    assert answer == {"scope": "signature", "item_id": petition.id, "error": service.REFUSED}
    assert count_rows(TokenIssuance) == 0


def test_issuance_is_rate_limited_per_account(make_app, make_user) -> None:
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TOKEN_ISSUANCE_PER_ACCOUNT="2 per hour")
    with limited.test_request_context():
        member = make_user()
        client = limited.test_client()
        client.login(member)
        statuses = [post_json(client, "/tokens/issue", {"tokens": []}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_refused_redemptions_are_rate_limited_per_address(make_app) -> None:
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TOKEN_MISSES_PER_ADDRESS="2 per minute")
    with limited.test_request_context():
        body = {"petition_id": "0" * 32, "token": "AAAA", "signature": "AAAA"}
        statuses = [_spend(limited, "/tokens/redeem", body).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_counted_page_shows_the_token_key_fingerprint_until_close(
    app, client, member, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    der = public_keys(client)[petition.id]
    page = client.get(f"/petitions/{petition.id}/tokens").get_data(as_text=True)
    assert hashlib.sha256(der).hexdigest() in page

    with unit_of_work(db.session):
        closing.close_petition(
            petition.id,
            actor_role="organizer",
            today=petition.opened_on,
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
        )
    page = client.get(f"/petitions/{petition.id}/tokens").get_data(as_text=True)
    assert "destroyed when it closed, or not made yet" in page


def test_a_token_key_left_behind_by_a_crash_is_destroyed_by_the_tick(
    app, client, member, make_petition
) -> None:
    import os
    import time

    petition = make_petition()
    client.login(member)
    public_keys(client)
    keys = app.extensions["voicebox.keys"]
    # A worker died between closing the petition and destroying its keys.
    db.session.get(Petition, petition.id).status = "closed"
    db.session.commit()
    old = time.time() - 3600
    os.utime(keys.folder / f"token-{petition.id}.key", (old, old))
    assert closing.destroy_orphaned_keys(keys) >= 1
    assert not keys.exists("token", petition.id)
