"""The private thread between a concern's anonymous author and organizers or leadership.

The author is recognised only by the receipt phrase they typed, hashed under the pepper
and compared with the stored hash (A7); messages are AES-GCM ciphertext bound to their
row (A5). A wrong phrase and a missing concern look exactly the same.

The author's answers are queued in the counting window like signatures and written at the
next count, shuffled among other threads' answers: written at once, commit order would put
each answer next to whatever its author's account did just before (registering, say). Until
then the author sees their answer marked as waiting; staff see it once it is counted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from voicebox import pending
from voicebox.anonymity import normalize_receipt, random_id
from voicebox.auditlog.record import record_event
from voicebox.concerns.service import UNREADABLE, ConcernError, get_concern, readable_body, receipt_hash
from voicebox.config import Secrets
from voicebox.crypto import CryptoError, decrypt_text, encrypt_text
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.labels import N_, LocalCount
from voicebox.labels import request_gettext as _
from voicebox.models import Concern, FollowupMessage
from voicebox.models.base import DbSession

MESSAGE_MAX = 5_000
UNREADABLE_MESSAGE = N_("This message can't be shown right now.")
AUTHOR = "author"
ANSWER = "followup"  # the queue purpose of an author's answer
log = logging.getLogger(__name__)
SENDER_LABELS = {
    AUTHOR: _l("You (the author)"),
    "organizer": _l("Organizers"),
    "leadership": _l("Leadership"),
}


class ThreadNotFound(ConcernError):
    """No concern has this receipt; deliberately says nothing more."""


@dataclass(frozen=True)
class ThreadMessage:
    sender_role: str
    text: str
    sent_on: date
    waiting: bool = False  # queued: joins the thread at the next count


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
        return _(UNREADABLE_MESSAGE)


def _validate_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise ConcernError(_("Write a message first."))
    if len(message) > MESSAGE_MAX:
        raise ConcernError(_("Keep the message under %(max)s characters.", max=LocalCount(MESSAGE_MAX)))
    return message


def _next_position(session: DbSession, concern_id: str) -> int:
    last = session.scalar(
        select(func.coalesce(func.max(FollowupMessage.position), -1)).where(
            FollowupMessage.concern_id == concern_id
        )
    )
    return int(last if last is not None else -1) + 1


def _write(
    session: DbSession, concern_id: str, sender_role: str, message: str, secrets: Secrets, sent_on: date
) -> None:
    message_id = random_id()
    session.execute(
        insert(FollowupMessage).values(
            id=message_id,
            concern_id=concern_id,
            sender_role=sender_role,
            body_ciphertext=encrypt_text(secrets.data_key, message, message_context(message_id)),
            sent_on=sent_on,
            position=_next_position(session, concern_id),
        )
    )


def _concern_for_receipt(receipt: str, secrets: Secrets) -> Concern:
    if not normalize_receipt(receipt):
        raise ThreadNotFound(_("No concern matches that receipt phrase. Check each word and try again."))
    concern = db.session.scalars(
        select(Concern).where(Concern.receipt_hash == receipt_hash(secrets.pepper, receipt))
    ).first()
    if concern is None:
        raise ThreadNotFound(
            _(
                "No concern matches that receipt phrase. Check each word and try again; a concern "
                "posted in the last minute opens here once it has joined the list."
            )
        )
    return concern


def _waiting_answers(concern_id: str, keys: KeyStore) -> list[ThreadMessage]:
    queued = pending.queued_payloads(db.session, keys, ANSWER, "concern_id", concern_id)
    queued.sort(key=lambda payload: payload["sequence"])
    return [
        ThreadMessage(AUTHOR, payload["message"], date.fromisoformat(payload["sent_on"]), waiting=True)
        for payload in queued
    ]


def open_thread(receipt: str, secrets: Secrets, keys: KeyStore) -> Thread:
    """The thread a receipt phrase opens, the author's waiting answers last; raises ThreadNotFound."""
    concern = _concern_for_receipt(receipt, secrets)
    messages = thread_messages(concern.id, secrets) + _waiting_answers(concern.id, keys)
    body = readable_body(concern, secrets)
    return Thread(concern, _(UNREADABLE) if body is None else body, messages)


def author_reply(receipt: str, message: str, *, secrets: Secrets, keys: KeyStore, today: date) -> Thread:
    """Queue the author's answer for the next count; raises ThreadNotFound or ConcernError."""
    concern = _concern_for_receipt(receipt, secrets)
    payload = {
        "concern_id": concern.id,
        "message": _validate_message(message),
        "sent_on": today.isoformat(),
        # Orders one thread's waiting answers without a time of day: how many wait before it.
        "sequence": len(pending.queued_payloads(db.session, keys, ANSWER, "concern_id", concern.id)),
    }
    pending.queue(db.session, keys, ANSWER, random_id(), payload)
    return open_thread(receipt, secrets, keys)


def answer_applier(secrets: Secrets) -> pending.Applier:
    """Write a shuffled batch of authors' answers, each thread's in the order they were sent."""

    def apply(session: DbSession, batch: list[dict[str, Any]]) -> None:
        threads: dict[str, list[dict[str, Any]]] = {}
        for payload in batch:  # keeps the batch's shuffled order between threads
            threads.setdefault(payload["concern_id"], []).append(payload)
        existing = set(session.scalars(select(Concern.id).where(Concern.id.in_(list(threads)))))
        for concern_id, answers in threads.items():
            if concern_id not in existing:
                continue  # deleted by retention while the answer waited: nothing to attach to
            for payload in sorted(answers, key=lambda answer: answer["sequence"]):
                _write(
                    session,
                    concern_id,
                    AUTHOR,
                    payload["message"],
                    secrets,
                    date.fromisoformat(payload["sent_on"]),
                )

    return apply


def staff_reply(concern_id: str, message: str, *, actor_role: str, secrets: Secrets, today: date) -> Concern:
    """Write to a concern's author as organizers or leadership; raises ConcernNotFound or ConcernError."""
    concern = get_concern(concern_id)
    if concern.hidden and actor_role != "organizer":
        raise ConcernError(_("Moderators hid this concern."))
    _write(db.session, concern.id, actor_role, _validate_message(message), secrets, today)
    record_event(
        db.session,
        actor_role,
        "replied privately to a concern's author",
        f"concern {concern.id[:8]}",
        on=today,
    )
    db.session.flush()
    return concern
