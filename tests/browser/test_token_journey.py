"""A member signs with a blind-signed token, checks it is counted, and withdraws with the
phrase from a fresh browser profile; and the bundled blindrsa-ts passes RFC 9474's vectors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import token_client
from tests.browser.test_petition_journey import assert_in_first_screen, signature_count, wait_for_count
from voicebox.demo import OPEN_PETITION, REPLIED_CONCERN

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parents[1] / "unit" / "data" / "rfc9474_vectors.json").read_text())


def _open_petition(visit) -> str:
    visit.page.get_by_role("link", name=OPEN_PETITION).first.click()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text(OPEN_PETITION)
    return visit.page.url.rstrip("/").rsplit("/", 1)[-1]


def record_redemptions(page) -> list[dict[str, str]]:
    """The headers of every redemption the page sends, to check none carries a cookie."""
    redemptions: list[dict[str, str]] = []
    page.on(
        "request", lambda r: redemptions.append(r.all_headers()) if r.url.endswith("/tokens/redeem") else None
    )
    return redemptions


def test_a_member_signs_with_a_token_checks_inclusion_and_withdraws_with_the_phrase(visit, new_visit):
    page = visit.page
    redemptions = record_redemptions(page)
    username = f"tokens-{visit.device}"
    visit.go("/")
    visit.register(username)
    visit.go("/petitions")
    petition_id = _open_petition(visit)
    before = signature_count(visit)
    # No switch to turn on: the token was fetched on the first pages this member opened.
    ready = page.locator('#private-signing [data-token-step="ready"]')
    expect(ready).to_be_visible()
    expect(page.get_by_role("button", name="Sign this petition")).to_be_hidden()
    # The token's sign button takes the account form's place, in a phone's first screen too.
    assert_in_first_screen(visit, "h1", "#signature-count", "#token-sign")
    visit.check("petition-token-ready")

    page.get_by_role("button", name="Sign privately now").click()
    expect(page.locator('#private-signing [data-token-step="done"]')).to_be_visible()
    expect(page.locator("#token-status")).to_contain_text("Thank you for signing")
    phrase = page.locator("#token-phrase").inner_text()
    assert len(phrase.split()) == 8
    assert redemptions and all("cookie" not in headers for headers in redemptions)
    wait_for_count(visit, before + 1)
    # The token stays in this browser: after a reload the page still knows it signed.
    expect(page.locator("#token-phrase")).to_have_text(phrase)
    visit.check("petition-token-signed")

    visit.go(f"/petitions/{petition_id}/tokens")
    page.get_by_label("Phrase").fill(phrase)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#check-result")).to_contain_text("Counted")
    expect(page.locator("#check-result")).to_contain_text("matches its published root")
    visit.check("tokens-counted")

    # Another device: a fresh profile has no token, only the phrase written down.
    other = new_visit()
    other.sign_in(username)
    other.go("/petitions")
    _open_petition(other)
    # The account was issued this petition's token already: the fresh profile gets none.
    expect(other.page.locator('#private-signing [data-token-step="unavailable"]')).to_be_visible()
    other.page.get_by_text("Withdraw with a phrase written down on another device").click()
    other.page.get_by_label("Phrase to withdraw").fill(phrase.upper())
    other.page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(other.page.locator("#token-withdraw-status")).to_have_text(
        "The signature made with this phrase has been withdrawn."
    )
    wait_for_count(other, before)


def _support_count(visit) -> int:
    return int(visit.page.locator("#support-count").inner_text().replace(",", ""))


def _wait_for_supports(visit, expected: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _support_count(visit) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        visit.page.reload()
    assert _support_count(visit) == expected


def test_a_member_says_me_too_with_a_token_and_takes_it_back_with_the_phrase_elsewhere(visit, new_visit):
    page = visit.page
    redemptions = record_redemptions(page)
    username = f"me-too-{visit.device}"
    visit.go("/")
    visit.register(username)
    visit.go("/concerns")
    page.get_by_role("link", name=REPLIED_CONCERN).first.click()
    concern_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    before = _support_count(visit)
    section = page.locator("#private-action")
    expect(section.locator('[data-token-step="ready"]')).to_be_visible()
    # The account's own button gives way to the token's while this browser holds one.
    expect(page.get_by_role("button", name="Me too", exact=True)).to_be_hidden()
    visit.check("concern-token-ready")

    page.get_by_role("button", name="Me too, privately").click()
    expect(section.locator('[data-token-step="done"]')).to_be_visible()
    expect(section.locator("[data-token-status]")).to_contain_text("Your “me too” joins the count")
    phrase = section.locator("[data-token-phrase]").inner_text()
    assert len(phrase.split()) == 8
    assert redemptions and all("cookie" not in headers for headers in redemptions)
    _wait_for_supports(visit, before + 1)

    visit.go(f"/concerns/{concern_id}/tokens")
    page.get_by_label("Phrase").fill(phrase)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#check-result")).to_contain_text("Counted")

    other = new_visit()
    other.sign_in(username)
    other.go(f"/concerns/{concern_id}")
    expect(other.page.locator('#private-action [data-token-step="unavailable"]')).to_be_visible()
    other.page.get_by_text("Take back a “me too” with a phrase written down on another device").click()
    other.page.get_by_label("Phrase", exact=True).fill(phrase)
    other.page.get_by_role("button", name="Take back", exact=True).click()
    expect(other.page.locator("#private-action [data-token-withdraw-status]")).to_have_text(
        "The “me too” made with this phrase has been taken back."
    )
    _wait_for_supports(other, before)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_bundled_library_passes_the_rfc_vectors_in_the_browser(visit, vector):
    """blindSign and finalize with the RFC's key, and blind with its salt and blinding factor."""
    from tests.unit.test_blind_rsa import _hex_int, _key

    numbers = _key(vector).private_numbers()
    n = numbers.public_numbers.n

    def b64(value: int) -> str:
        return token_client.b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    jwk = {
        "kty": "RSA",
        "n": b64(n),
        "e": b64(numbers.public_numbers.e),
        "d": b64(numbers.d),
        "p": b64(numbers.p),
        "q": b64(numbers.q),
        "dp": b64(numbers.dmp1),
        "dq": b64(numbers.dmq1),
        "qi": b64(numbers.iqmp),
    }
    r = pow(_hex_int(vector["inv"]), -1, n)
    visit.go("/login")  # any page of the app: a secure context, so crypto.subtle is there
    visit.page.add_script_tag(url="/static/js/blind-token.bundle.js")
    result = visit.page.evaluate(
        """async ([jwk, v, r]) => {
          const hex = (s) => Uint8Array.from(s.match(/../g), (h) => parseInt(h, 16));
          const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
          const alg = { name: 'RSA-PSS', hash: 'SHA-384' };
          const { n, e } = jwk;
          const publicJwk = { kty: 'RSA', n, e, ext: true };
          const pub = await crypto.subtle.importKey('jwk', publicJwk, alg, true, ['verify']);
          const priv = await crypto.subtle.importKey('jwk', { ...jwk, ext: true }, alg, true, ['sign']);
          const B = window.VoiceboxBlindRSA;
          const input = hex(v.input_msg);
          // The RFC's randomness, in the order blind() draws it: the salt, then r.
          const queue = [hex(v.salt), hex(r)];
          const real = crypto.getRandomValues.bind(crypto);
          crypto.getRandomValues = (array) => {
            const next = queue.shift();
            if (!next) return real(array);
            array.set(next.slice(0, array.length));
            return array;
          };
          const { blindedMsg, inv } = await B.blind(pub, input);
          crypto.getRandomValues = real;
          const blindSig = await B.blindSign(priv, hex(v.blinded_msg));
          const sig = await B.finalize(pub, input, hex(v.blind_sig), inv);
          return { blinded: toHex(blindedMsg), blindSig: toHex(blindSig), sig: toHex(sig),
                   verified: await B.verify(pub, hex(v.sig), input) };
        }""",
        [jwk, vector, format(r, "0512x")],
    )
    assert result == {
        "blinded": vector["blinded_msg"],
        "blindSig": vector["blind_sig"],
        "sig": vector["sig"],
        "verified": True,
    }


def test_signing_later_sends_the_token_at_a_random_moment_within_the_window(visit):
    page = visit.page
    page.clock.install()
    visit.go("/")
    visit.register(f"later-{visit.device}")
    visit.go("/petitions")
    _open_petition(visit)
    before = signature_count(visit)
    expect(page.locator('#private-signing [data-token-step="ready"]')).to_be_visible()
    page.get_by_role("button", name="Sign at a random moment in the next 30 minutes").click()
    expect(page.locator("#token-status")).to_contain_text("Your signature will be sent at")
    assert signature_count(visit) == before
    page.clock.fast_forward("30:01")
    expect(page.locator('#private-signing [data-token-step="done"]')).to_be_visible()
    expect(page.locator("#token-status")).to_contain_text("Thank you for signing")


@pytest.mark.parametrize("device", ["phone"], indirect=True)
def test_the_token_panel_taking_the_sign_form_s_place_does_not_shift_the_page(visit):
    from tests.browser.test_taking_part_journeys import CLS_OBSERVER

    page = visit.page
    visit.register(f"steady-{visit.device}")
    visit.go("/petitions")
    petition_url = f"/petitions/{_open_petition(visit)}"
    page.add_init_script(CLS_OBSERVER)
    visit.go(petition_url)  # the token is held already: the swap happens as the page loads
    expect(page.locator('#private-signing [data-token-step="ready"]')).to_be_visible()
    page.wait_for_timeout(300)
    shift = page.evaluate("() => window.__cls")
    print(f"\ncumulative layout shift of the petition page on a phone, with a token: {shift:.3f}")
    assert shift < 0.05
