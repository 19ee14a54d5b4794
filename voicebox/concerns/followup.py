"""The private thread between a concern's anonymous author and organizers or leadership.

The author is recognised only by the receipt phrase they typed, hashed under the pepper
and compared with the stored hash (A7); messages are AES-GCM ciphertext bound to their
row (A5). A wrong phrase and a missing concern look exactly the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from voicebox.anonymity import normalize_receipt, random_id
from voicebox.auditlog.record import record_event
from voicebox.concerns.service import UNREADABLE, ConcernError, get_concern, readable_body, receipt_hash
from voicebox.config import Secrets
from voicebox.crypto import CryptoError, decrypt_text, encrypt_text
from voicebox.extensions import db
from voicebox.models import Concern, FollowupMessage

MESSAGE_MAX = 5_000
UNREADABLE_MESSAGE = "This message can't be shown right now."
AUTHOR = "author"
log = logging.getLogger(__name__)

SENDER_LABELS = {AUTHOR: "You (the author)", "organizer": "Organizers", "leadership": "Leadership"}


class ThreadNotFound(ConcernError):
    """No concern has this receipt; deliberately says nothing more."""


@dataclass(frozen=True)
class ThreadMessage:
    sender_role: str
    text: str
    sent_on: date


@dataclass(frozen=True)
class Thread:
    """What a receipt opens: the concern, its body and its private messages."""

    concern: Concern
    body: str
    messages: list[ThreadMessage]


def message_context(message_id: str) -> str:
    """The AES-GCM context binding a follow-up message to its row (A5)."""
    return f"followup:{message_id}"


def thread_messages(concern_id: str, secrets: Secrets) -> list[ThreadMessage]:
    """A concern's private messages, decrypted, oldest first."""
    rows = db.session.scalars(
        select(FollowupMessage)
        .where(FollowupMessage.concern_id == concern_id)
        .order_by(FollowupMessage.position)
    )
    return [ThreadMessage(row.sender_role, _readable_message(row, secrets), row.sent_on) for row in rows]


def _readable_message(row: FollowupMessage, secrets: Secrets) -> str:
    try:
        return decrypt_text(secrets.data_key, row.body_ciphertext, message_context(row.id))
    except CryptoError:
        # One damaged message leaves the rest of the thread readable; logged by id only.
        log.error("follow-up message %s: does not decrypt; shown without its text", row.id)
        return UNREADABLE_MESSAGE


def _validate_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise ConcernError("Write a message first.")
    if len(message) > MESSAGE_MAX:
        raise ConcernError(f"Keep the message under {MESSAGE_MAX:,} characters.")
    return message


def _append(concern: Concern, sender_role: str, message: str, secrets: Secrets, today: date) -> None:
    position = db.session.execute(
        select(func.coalesce(func.max(FollowupMessage.position), -1)).where(
            FollowupMessage.concern_id == concern.id
        )
    ).scalar_one()
    message_id = random_id()
    db.session.add(
        FollowupMessage(
            id=message_id,
            concern_id=concern.id,
            sender_role=sender_role,
            body_ciphertext=encrypt_text(secrets.data_key, message, message_context(message_id)),
            sent_on=today,
            position=position + 1,
        )
    )


def _concern_for_receipt(receipt: str, secrets: Secrets) -> Concern:
    if not normalize_receipt(receipt):
        raise ThreadNotFound("No concern matches that receipt phrase. Check each word and try again.")
    concern = db.session.scalars(
        select(Concern).where(Concern.receipt_hash == receipt_hash(secrets.pepper, receipt))
    ).first()
    if concern is None:
        raise ThreadNotFound(
            "No concern matches that receipt phrase. Check each word and try again; a concern "
            "posted in the last minute opens here once it has joined the list."
        )
    return concern


def open_thread(receipt: str, secrets: Secrets) -> Thread:
    """The thread a receipt phrase opens; raises ThreadNotFound for any phrase that opens none."""
    concern = _concern_for_receipt(receipt, secrets)
    body = readable_body(concern, secrets)
    return Thread(concern, UNREADABLE if body is None else body, thread_messages(concern.id, secrets))


def author_reply(receipt: str, message: str, *, secrets: Secrets, today: date) -> Thread:
    """Add the author's answer to their thread; raises ThreadNotFound or ConcernError."""
    concern = _concern_for_receipt(receipt, secrets)
    _append(concern, AUTHOR, _validate_message(message), secrets, today)
    db.session.commit()
    return open_thread(receipt, secrets)


def staff_reply(
    concern_id: str, message: str, *, actor_role: str, secrets: Secrets, today: date
) -> Concern:
    """Write to a concern's author as organizers or leadership; raises ConcernNotFound or ConcernError."""
    concern = get_concern(concern_id)
    if concern.hidden and actor_role != "organizer":
        raise ConcernError("Moderators hid this concern.")
    _append(concern, actor_role, _validate_message(message), secrets, today)
    record_event(db.session, actor_role, "replied privately to a concern's author",
                 f"concern {concern.id[:8]}", on=today)
    db.session.commit()
    return concern
