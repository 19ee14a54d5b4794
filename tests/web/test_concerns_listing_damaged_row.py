"""One concern whose body won't decrypt (a damaged or tampered row) never takes the listing
down for everyone: it is listed without its text, logged without content, the rest shown."""

from __future__ import annotations

from voicebox.extensions import db


def test_a_row_that_will_not_decrypt_is_listed_without_text_and_the_rest_are_shown(
    client, member, make_concern, caplog
):
    damaged, _receipt = make_concern(title="Damaged one", body="Secret words of the damaged row")
    make_concern(title="Healthy one", body="The canteen closes too early for the night shift.")
    sealed = bytearray(damaged.body_ciphertext)
    sealed[-1] ^= 0x01  # one flipped bit: the AES-GCM tag no longer matches
    damaged.body_ciphertext = bytes(sealed)
    db.session.commit()
    client.login(member)

    for address in ("/concerns", "/concerns?q=canteen", "/concerns?q=damaged"):
        response = client.get(address)
        assert response.status_code == 200, address
    page = client.get("/concerns").get_data(as_text=True)
    assert "Damaged one" in page and "Healthy one" in page
    assert "The canteen closes too early" in page
    assert "The text of this concern can&#39;t be shown right now." in page
    by_body = client.get("/concerns?q=canteen").get_data(as_text=True)
    assert "Healthy one" in by_body and "Damaged one" not in by_body
    assert "Damaged one" in client.get("/concerns?q=damaged").get_data(as_text=True)  # by title
    assert f"concern {damaged.id}: body does not decrypt" in caplog.text
    assert "Secret words" not in caplog.text
