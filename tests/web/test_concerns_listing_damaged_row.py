"""One concern whose body won't decrypt (a damaged or tampered row) never takes the listing
down for everyone: it is listed without its text, logged without content, the rest shown."""

from __future__ import annotations

from voicebox.extensions import db
from voicebox.unit_of_work import unit_of_work


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


def _damage(sealed: bytes) -> bytes:
    flipped = bytearray(sealed)
    flipped[-1] ^= 0x01  # one flipped bit: the AES-GCM tag no longer matches
    return bytes(flipped)


def test_the_moderation_queue_survives_a_row_that_will_not_decrypt(client, organizer, make_concern, caplog):
    from voicebox.anonymity import coarse_date
    from voicebox.concerns import moderation

    damaged, _ = make_concern(title="Damaged hidden one", body="Secret words of the damaged row")
    healthy, _ = make_concern(title="Healthy hidden one", body="Readable body of the healthy row")
    for concern in (damaged, healthy):
        with unit_of_work(db.session):
            moderation.hide_concern(concern.id, "Names someone", actor_role="organizer", today=coarse_date())
    damaged.body_ciphertext = _damage(damaged.body_ciphertext)
    db.session.commit()
    client.login(organizer)
    response = client.get("/concerns/moderation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Damaged hidden one" in page and "Readable body of the healthy row" in page
    assert "can&#39;t be shown right now" in page
    assert f"concern {damaged.id}: body does not decrypt" in caplog.text
    assert "Secret words" not in caplog.text


def test_a_thread_survives_a_message_that_will_not_decrypt(client, member, make_concern, caplog):
    from sqlalchemy import select

    from voicebox.models import FollowupMessage

    _concern, receipt = make_concern(title="Threaded")
    client.login(member)
    for message in ("first-message-damaged", "second-message-readable"):
        client.post("/followup", data={"receipt": receipt, "message": message})
    first = db.session.scalars(select(FollowupMessage).where(FollowupMessage.position == 0)).one()
    first.body_ciphertext = _damage(first.body_ciphertext)
    db.session.commit()
    response = client.post("/followup", data={"receipt": receipt})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "second-message-readable" in page and "first-message-damaged" not in page
    assert "This message can" in page and "be shown right now." in page
    assert f"follow-up message {first.id}: does not decrypt" in caplog.text
    assert "first-message-damaged" not in caplog.text
