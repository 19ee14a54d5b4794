"""Concern "me too"s and draft co-sponsorships made with blind tokens: one token per member
per item and scope, spent once, only on its own item and scope, with no cookie; listed;
a "me too" taken back with its phrase; and the account paths still working beside them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from tests import blind_client
from tests.support import count_rows
from tests.token_client import b64, fetch_token, post_json, public_keys
from voicebox import blind_rsa, inclusion
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, Cosponsorship, ItemTokenIssuance, Petition
from voicebox.petitions import drafts
from voicebox.tokens import scopes
from voicebox.unit_of_work import unit_of_work

SUPPORT, COSPONSOR, SIGNATURE = scopes.SUPPORT, scopes.COSPONSOR, scopes.SIGNATURE


def _spend(app: Flask, url: str, body: dict[str, Any]) -> Any:
    """A POST from a client that has never held a cookie (tokens.js: credentials 'omit')."""
    return app.test_client().post(url, json=body, csrf=False)


def _supports(concern: Any) -> int:
    return db.session.get(Concern, concern.id).support_count


def _cosponsors(petition: Any) -> int:
    return db.session.get(Petition, petition.id).cosponsor_count


def test_keys_cover_open_concerns_and_drafts_each_with_its_own_key(
    client, member, make_petition, make_concern
) -> None:
    petition, draft = make_petition(), make_petition(status="draft", title="A draft")
    concern, _receipt = make_concern()
    client.login(member)
    assert set(public_keys(client, SUPPORT)) == {concern.id}
    assert set(public_keys(client, COSPONSOR)) == {draft.id}
    assert set(public_keys(client, SIGNATURE)) == {petition.id}
    # One key per item and scope: a draft's co-sponsorship key isn't the key it signs with later.
    every = [*public_keys(client, SUPPORT).values(), *public_keys(client, COSPONSOR).values()]
    assert len(set(every)) == 2


def test_a_repeat_issuance_gets_the_same_answer_and_a_second_token_is_refused(
    client, member, make_concern
) -> None:
    concern, _receipt = make_concern()
    client.login(member)
    public = blind_rsa.load_public_key(public_keys(client, SUPPORT)[concern.id])
    blinded = blind_client.blind(public, scopes.token_message(SUPPORT, concern.id, "a b c d e f g h"))
    body = {"tokens": [{"scope": SUPPORT, "item_id": concern.id, "blinded_msg": b64(blinded.blinded_msg)}]}
    first = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    again = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    assert first["blind_sig"] == again["blind_sig"]
    other = blind_client.blind(public, scopes.token_message(SUPPORT, concern.id, "i j k l m n o p"))
    body["tokens"][0]["blinded_msg"] = b64(other.blinded_msg)
    refused = post_json(client, "/tokens/issue", body).get_json()["signatures"][0]
    assert "blind_sig" not in refused
    assert refused["error"] == "No “me too” token can be issued for this concern."
    assert count_rows(ItemTokenIssuance, ItemTokenIssuance.item_id == concern.id) == 1


def test_a_support_token_says_me_too_once_without_a_cookie_and_is_listed(
    app, client, member, make_concern
) -> None:
    concern, _receipt = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    response = _spend(app, "/tokens/redeem", token.redeem_body())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    client.get("/")  # flushes the counting window
    assert _supports(concern) == 1
    row = db.session.scalars(select(ConcernSupport).where(ConcernSupport.concern_id == concern.id)).one()
    assert row.token_hash == token.hash
    again = _spend(app, "/tokens/redeem", token.redeem_body())
    assert again.status_code == 409
    assert again.get_json()["error"] == "This token has already said “me too”."
    assert _supports(concern) == 1
    listed = client.get(f"/concerns/{concern.id}/tokens?format=json").get_json()
    assert listed["token_hashes"] == [token.hash]
    assert listed["root"] == inclusion.merkle_root([token.hash])
    page = client.get(f"/concerns/{concern.id}/tokens").get_data(as_text=True)
    assert token.hash in page and "Counted “me too” tokens" in page


def _in_one_window(app: Flask, client: Any, token: Any, second: tuple[str, dict[str, Any]]) -> int:
    """Redeem, then send `second` (url, body) before the window is counted; its status."""
    spender = app.test_client()
    spender.count_after_requests = False
    assert spender.post("/tokens/redeem", json=token.redeem_body(), csrf=False).status_code == 200
    status = spender.post(second[0], json=second[1], csrf=False).status_code
    client.get("/")  # the signed-in client's request flushes the window
    return int(status)


def test_a_token_spent_twice_in_one_window_says_me_too_once(app, client, member, make_concern) -> None:
    concern, _receipt = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    assert _in_one_window(app, client, token, ("/tokens/redeem", token.redeem_body())) == 409
    assert _supports(concern) == 1


def test_a_token_is_refused_on_another_item_or_for_another_scope(
    app, client, member, make_concern, make_petition
) -> None:
    first, _ = make_concern(title="First")
    second, _ = make_concern(title="Second")
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, first.id, scope=SUPPORT)
    signing = fetch_token(client, petition.id)
    other_item = _spend(app, "/tokens/redeem", token.redeem_body(item_id=second.id))
    assert other_item.status_code == 400
    assert other_item.get_json()["error"] == "This token is not a “me too” token for this concern."
    # A signature token presented as a "me too" on the petition's own id, or the reverse.
    as_support = _spend(app, "/tokens/redeem", signing.redeem_body(scope=SUPPORT, item_id=first.id))
    assert as_support.status_code == 400
    as_signature = _spend(app, "/tokens/redeem", token.redeem_body(scope=SIGNATURE, item_id=petition.id))
    assert as_signature.status_code == 400
    assert as_signature.get_json()["error"] == "This token is not for this petition."
    client.get("/")
    assert (_supports(first), _supports(second)) == (0, 0)
    assert db.session.get(Petition, petition.id).signature_count == 0


def test_a_support_token_with_another_items_signature_is_refused(app, client, member, make_concern) -> None:
    # The message names the right concern, but the signature is from another concern's key.
    first, _ = make_concern(title="First")
    second, _ = make_concern(title="Second")
    client.login(member)
    token = fetch_token(client, first.id, scope=SUPPORT)
    other = fetch_token(client, second.id, scope=SUPPORT)
    body = token.redeem_body(signature=b64(other.signature))
    response = _spend(app, "/tokens/redeem", body)
    assert response.status_code == 400
    assert response.get_json()["error"] == "This token's signature is not valid for this concern."


def test_a_request_carrying_the_sign_in_cookie_is_refused(client, member, make_concern) -> None:
    concern, _ = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    response = client.post("/tokens/redeem", json=token.redeem_body(), csrf=False)
    assert response.status_code == 400
    assert "sign-in cookie" in response.get_json()["error"]
    withdraw = client.post("/tokens/withdraw", json=token.withdraw_body(), csrf=False)
    assert withdraw.status_code == 400
    client.get("/")
    assert _supports(concern) == 0


def test_a_me_too_is_taken_back_with_its_phrase_and_not_with_another(
    app, client, member, make_concern
) -> None:
    concern, _ = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    assert _spend(app, "/tokens/redeem", token.redeem_body()).status_code == 200
    client.get("/")
    wrong = _spend(app, "/tokens/withdraw", token.withdraw_body("not my words at all"))
    assert wrong.status_code == 400
    assert _supports(concern) == 1
    typed = "  " + token.phrase.upper() + " "
    response = _spend(app, "/tokens/withdraw", token.withdraw_body(typed))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _supports(concern) == 0
    assert client.get(f"/concerns/{concern.id}/tokens?format=json").get_json()["token_hashes"] == []


def test_a_me_too_still_queued_is_taken_back_with_its_phrase(app, client, member, make_concern) -> None:
    concern, _ = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    assert _in_one_window(app, client, token, ("/tokens/withdraw", token.withdraw_body())) == 200
    assert _supports(concern) == 0


def test_closing_a_concern_keeps_its_list_and_destroys_its_token_key(
    app, client, member, organizer, make_concern
) -> None:
    from voicebox.concerns import moderation

    concern, _ = make_concern()
    client.login(member)
    token = fetch_token(client, concern.id, scope=SUPPORT)
    _spend(app, "/tokens/redeem", token.redeem_body())
    with unit_of_work(db.session):
        moderation.change_status(
            concern.id,
            "resolved",
            actor_role="organizer",
            today=concern.created_on,
            keys=app.extensions["voicebox.keys"],
        )
    assert not app.extensions["voicebox.keys"].exists("token-support", concern.id)
    assert count_rows(ItemTokenIssuance, ItemTokenIssuance.item_id == concern.id) == 0
    assert client.get(f"/concerns/{concern.id}/tokens?format=json").get_json()["token_hashes"] == [token.hash]
    late = _spend(app, "/tokens/withdraw", token.withdraw_body())
    assert late.status_code == 400
    assert _supports(concern) == 1


def test_account_me_too_and_token_rule_each_other_out(client, member, make_concern) -> None:
    with_account, _ = make_concern(title="With the account")
    with_token, _ = make_concern(title="With a token")
    client.login(member)
    assert client.post(f"/concerns/{with_account.id}/support").status_code == 302
    keys = public_keys(client, SUPPORT)
    public = blind_rsa.load_public_key(keys[with_account.id])
    blinded = blind_client.blind(public, scopes.token_message(SUPPORT, with_account.id, "a b c d e f g h"))
    body = {
        "tokens": [{"scope": SUPPORT, "item_id": with_account.id, "blinded_msg": b64(blinded.blinded_msg)}]
    }
    (answer,) = post_json(client, "/tokens/issue", body).get_json()["signatures"]
    assert "error" in answer
    fetch_token(client, with_token.id, scope=SUPPORT)
    refused = client.post(f"/concerns/{with_token.id}/support", follow_redirects=True)
    assert "You have a private token for this concern" in refused.get_data(as_text=True)
    assert (_supports(with_account), _supports(with_token)) == (1, 0)


def test_a_cosponsorship_token_backs_a_draft_once_and_stays_listed_after_it_opens(
    app, client, member, make_petition
) -> None:
    draft = make_petition(status="draft")
    client.login(member)
    token = fetch_token(client, draft.id, scope=COSPONSOR)
    assert _spend(app, "/tokens/redeem", token.redeem_body()).status_code == 200
    assert _spend(app, "/tokens/redeem", token.redeem_body()).status_code == 409
    assert _cosponsors(draft) == 1
    listed = client.get(f"/petitions/{draft.id}/cosponsor-tokens?format=json").get_json()
    assert listed["token_hashes"] == [token.hash]
    with unit_of_work(db.session):
        drafts.open_petition(
            draft.id,
            cosponsors_needed=1,
            actor_role="organizer",
            today=draft.created_on,
            keys=app.extensions["voicebox.keys"],
        )
    assert not app.extensions["voicebox.keys"].exists("token-cosponsor", draft.id)
    row = db.session.scalars(select(Cosponsorship).where(Cosponsorship.petition_id == draft.id)).one()
    assert (row.token_hash, row.nullifier) == (token.hash, None)
    assert client.get(f"/petitions/{draft.id}/cosponsor-tokens?format=json").get_json()["token_hashes"] == [
        token.hash
    ]
    late = _spend(app, "/tokens/redeem", token.redeem_body())
    assert late.status_code == 400


def test_a_queued_cosponsorship_counts_before_the_draft_opens(app, client, member, make_petition) -> None:
    draft = make_petition(status="draft")
    client.login(member)
    token = fetch_token(client, draft.id, scope=COSPONSOR)
    spender = app.test_client()
    spender.count_after_requests = False
    assert spender.post("/tokens/redeem", json=token.redeem_body(), csrf=False).status_code == 200
    with unit_of_work(db.session):
        opened = drafts.open_petition(
            draft.id,
            cosponsors_needed=1,
            actor_role="organizer",
            today=draft.created_on,
            keys=app.extensions["voicebox.keys"],
        )
    assert opened.is_open and opened.cosponsor_count == 1


def test_the_author_gets_no_cosponsorship_token_and_a_token_holder_cannot_cosponsor_with_the_account(
    client, member, make_user, make_petition
) -> None:
    own = make_petition(status="draft", author=member, title="Mine")
    other = make_petition(status="draft", title="Theirs")
    client.login(member)
    public = blind_rsa.load_public_key(public_keys(client, COSPONSOR)[own.id])
    blinded = blind_client.blind(public, scopes.token_message(COSPONSOR, own.id, "a b c d e f g h"))
    body = {"tokens": [{"scope": COSPONSOR, "item_id": own.id, "blinded_msg": b64(blinded.blinded_msg)}]}
    (answer,) = post_json(client, "/tokens/issue", body).get_json()["signatures"]
    assert answer["error"] == "No co-sponsorship token can be issued for this draft."
    fetch_token(client, other.id, scope=COSPONSOR)
    refused = client.post(f"/petitions/{other.id}/cosponsor", follow_redirects=True)
    assert "You have a private token for this draft" in refused.get_data(as_text=True)
    assert _cosponsors(other) == 0


def test_a_cosponsorship_cannot_be_taken_back_with_a_phrase(app, client, member, make_petition) -> None:
    draft = make_petition(status="draft")
    client.login(member)
    token = fetch_token(client, draft.id, scope=COSPONSOR)
    _spend(app, "/tokens/redeem", token.redeem_body())
    response = _spend(app, "/tokens/withdraw", token.withdraw_body())
    assert response.status_code == 400
    assert _cosponsors(draft) == 1


def test_the_cli_verifies_inclusion_for_each_kind(app, client, member, make_concern, make_petition) -> None:
    concern, _ = make_concern()
    draft = make_petition(status="draft")
    client.login(member)
    support = fetch_token(client, concern.id, scope=SUPPORT)
    cosponsor = fetch_token(client, draft.id, scope=COSPONSOR)
    runner = app.test_cli_runner()
    before = runner.invoke(
        args=["voicebox", "verify-inclusion", "--kind", "support", concern.id, support.phrase]
    )
    assert before.exit_code == 1 and "NOT COUNTED" in before.output
    _spend(app, "/tokens/redeem", support.redeem_body())
    _spend(app, "/tokens/redeem", cosponsor.redeem_body())
    client.get("/")
    found = runner.invoke(
        args=["voicebox", "verify-inclusion", "--kind", "support", concern.id, *support.phrase.split()]
    )
    assert found.exit_code == 0, found.output
    assert support.hash in found.output and inclusion.merkle_root([support.hash]) in found.output
    # The same phrase checked as another kind is another token: not counted there.
    wrong_kind = runner.invoke(
        args=["voicebox", "verify-inclusion", "--kind", "cosponsor", concern.id, support.phrase]
    )
    assert wrong_kind.exit_code == 1
    by_hash = runner.invoke(
        args=["voicebox", "verify-inclusion", "--kind", "cosponsor", draft.id, cosponsor.hash]
    )
    assert by_hash.exit_code == 0, by_hash.output
