"""Concern rules: posting, "me too", flagging, and a member's own standing.

Functions work inside the caller's unit of work (voicebox.unit_of_work). Posting writes
only the concern row (and its first status entry), nothing about the member (A1, A3); the
author's only handle is the receipt phrase, shown once and stored as a keyed hash (A7).
Supports and flags are nullifiers under the concern's own key, which lives in the key
store (A2), so the member is found again only by recomputing them. A "me too" is queued
and written at the next counting window, shuffled among the others (voicebox.pending).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from voicebox import pending
from voicebox.anonymity import new_receipt_phrase, normalize_receipt, nullifier, random_id
from voicebox.config import Secrets
from voicebox.counters import add_to_column, insert_new_rows
from voicebox.crypto import CryptoError, decrypt_text, encrypt_text, keyed_hash
from voicebox.extensions import db
from voicebox.keyed_items import counted_or_queued, issued_item_token, marked
from voicebox.keystore import KeyStore
from voicebox.labels import N_, LocalCount, status_label
from voicebox.labels import request_gettext as _
from voicebox.models import Category, Concern, ConcernFlag, ConcernStatus, ConcernStatusChange, ConcernSupport
from voicebox.models.base import DbSession, rows_affected
from voicebox.text import IdentifyingHint, find_identifying_text

log = logging.getLogger(__name__)

CONCERN = "concern"
POST = "concern-post"
SUPPORT = "support"
# Nullifier purpose of "this member was issued this concern's "me too" token" (voicebox.tokens).
SUPPORT_ISSUANCE = "blind-issuance-support"
# The key store kind of a concern's "me too" token signing key (voicebox.tokens.scopes).
SUPPORT_SIGNING = "token-support"
FLAG = "flag"
TITLE_MAX = 200
BODY_MAX = 10_000
RECEIPT_PURPOSE = "receipt"
UNREADABLE = N_("The text of this concern can't be shown right now.")
CLOSED_STATUSES = frozenset({ConcernStatus.RESOLVED.value, ConcernStatus.DECLINED.value})


class ConcernError(Exception):
    """A concern request that can't be carried out; the message is for the member."""


class ConcernNotFound(ConcernError):
    pass


class InvalidConcern(ConcernError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class LooksIdentifying(ConcernError):
    """The text may identify its author; the member decides whether to post anyway."""

    def __init__(self, hints: list[IdentifyingHint]) -> None:
        super().__init__(_("This text may identify you."))
        self.hints = hints


@dataclass(frozen=True)
class PostedConcern:
    """What the poster sees once: the concern's id and its receipt phrase (never stored).

    The concern itself is queued and written at the next counting window (within a minute).
    """

    concern_id: str
    receipt: str


@dataclass(frozen=True)
class ConcernStanding:
    """Whether the current member said "me too" or flagged; known only to them."""

    supported: bool = False
    flagged: bool = False


def body_context(concern_id: str) -> str:
    """The AES-GCM context binding a concern body to its row (A5)."""
    return f"concern-body:{concern_id}"


def receipt_hash(pepper: bytes, phrase: str) -> str:
    """The only form in which a receipt phrase is ever stored or compared (A7)."""
    return keyed_hash(pepper, RECEIPT_PURPOSE, normalize_receipt(phrase))


def concern_key(concern_id: str, keys: KeyStore) -> bytes | None:
    """The concern's own key, or None once it is resolved or declined and the key destroyed."""
    return keys.get(CONCERN, concern_id)


def concern_body(concern: Concern, secrets: Secrets) -> str:
    """Decrypt a concern's body; raises CryptoError if the row was tampered with."""
    return decrypt_text(secrets.data_key, concern.body_ciphertext, body_context(concern.id))


def readable_body(concern: Concern, secrets: Secrets) -> str | None:
    """The body, or None if it won't decrypt (a damaged or tampered row): one such row never
    takes a page that lists concerns down for everyone."""
    try:
        return concern_body(concern, secrets)
    except CryptoError:
        # The id lets an admin find the row; nothing of its content is logged.
        log.error("concern %s: body does not decrypt; shown without its text", concern.id)
        return None


def get_concern(concern_id: str) -> Concern:
    """Load a concern; raises ConcernNotFound."""
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        raise ConcernNotFound(_("There is no such concern."))
    return concern


def categories() -> list[Category]:
    """Every category organizers keep, by name."""
    return list(db.session.scalars(select(Category).order_by(Category.name)))


def category_names() -> dict[int, str]:
    """Each category's name by id."""
    return dict(db.session.execute(select(Category.id, Category.name)).tuples().all())


def categories_by_id() -> dict[int, Category]:
    """Categories keyed by id, for naming a concern's category."""
    return {category.id: category for category in categories()}


def validate_concern(title: str, body: str, category_id: int | None) -> dict[str, str]:
    """Field errors for a new concern, keyed by form field; empty when it is fine."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the concern a short title.")
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(max)s characters.", max=TITLE_MAX)
    if not body.strip():
        errors["body"] = _("Describe the concern.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("Keep the description under %(max)s characters.", max=LocalCount(BODY_MAX))
    if category_id is None:
        if db.session.scalar(select(Category.id).limit(1)) is not None:
            errors["category"] = _("Choose a category from the list.")
    elif db.session.get(Category, category_id) is None:
        errors["category"] = _("Choose a category from the list.")
    return errors


def post_concern(
    title: str,
    body: str,
    category_id: int | None,
    *,
    username: str,
    confirmed_identifying: bool,
    secrets: Secrets,
    keys: KeyStore,
    today: date,
) -> PostedConcern:
    """Store an anonymous concern and return its one-time receipt.

    Raises InvalidConcern with per-field messages, or LooksIdentifying when the text
    looks like it names its author and the member hasn't confirmed posting it anyway.
    `username` is used only for that check and is never stored.
    """
    errors = validate_concern(title, body, category_id)
    if errors:
        raise InvalidConcern(errors)
    if not confirmed_identifying:
        hints = find_identifying_text(f"{title}\n{body}", username)
        if hints:
            raise LooksIdentifying(hints)
    concern_id = random_id()
    receipt = new_receipt_phrase()
    payload = {
        "concern_id": concern_id,
        "title": title.strip(),
        "body": body,
        "category_id": category_id,
        "created_on": today.isoformat(),
        "receipt_hash": receipt_hash(secrets.pepper, receipt),
    }
    # Queued like a signature: written at the next window, shuffled among the others, so
    # neither commit order nor "the account registered just before" points at its author.
    pending.queue(db.session, keys, POST, concern_id, payload)
    return PostedConcern(concern_id=concern_id, receipt=receipt)


def is_being_posted(concern_id: str, keys: KeyStore) -> bool:
    """Whether a concern with this id waits in the queue (posted in the last minute)."""
    return pending.is_queued(db.session, pending.live_windows(db.session, keys), POST, concern_id)


def concern_applier(secrets: Secrets, keys: KeyStore) -> pending.Applier:
    """Write a shuffled batch of queued concerns, each with its first status and its key."""

    def apply(session: DbSession, batch: list[dict[str, Any]]) -> None:
        known = {category_id for (category_id,) in session.execute(select(Category.id))}
        for payload in batch:
            concern_id = payload["concern_id"]
            created_on = date.fromisoformat(payload["created_on"])
            category_id = payload.get("category_id")
            if not keys.exists(CONCERN, concern_id):
                keys.create(CONCERN, concern_id)
            session.execute(
                insert(Concern).values(
                    id=concern_id,
                    title=payload["title"],
                    body_ciphertext=encrypt_text(secrets.data_key, payload["body"], body_context(concern_id)),
                    category_id=category_id if category_id in known else None,
                    status=ConcernStatus.OPEN.value,
                    created_on=created_on,
                    receipt_hash=payload["receipt_hash"],
                    support_count=0,
                    flag_count=0,
                    hidden=False,
                )
            )
            session.execute(
                insert(ConcernStatusChange).values(
                    id=random_id(),
                    concern_id=concern_id,
                    status=ConcernStatus.OPEN.value,
                    changed_on=created_on,
                    position=0,
                )
            )

    return apply


def standing_of(concern: Concern, member_id: str, keys: KeyStore) -> ConcernStanding:
    """Whether this member supports or flagged the concern (their own view only)."""
    key = concern_key(concern.id, keys)
    if key is None:
        return ConcernStanding()
    support_mark = nullifier(key, SUPPORT, member_id)
    counted, queued = counted_or_queued(
        db.session, keys, ConcernSupport, "concern_id", concern.id, SUPPORT, support_mark
    )
    flag_mark = nullifier(key, FLAG, member_id)
    return ConcernStanding(
        supported=counted or queued,
        flagged=marked(db.session, ConcernFlag, "concern_id", concern.id, flag_mark),
    )


def _open_key(concern: Concern, keys: KeyStore, action: str) -> bytes:
    if concern.hidden:
        if action == FLAG:
            raise ConcernError(_("Moderators hid this concern, so it can't take flags."))
        raise ConcernError(_('Moderators hid this concern, so it can\'t take "me too"s.'))
    key = concern_key(concern.id, keys)
    if key is None or concern.status in CLOSED_STATUSES:
        status = status_label(concern.status)
        if action == FLAG:
            raise ConcernError(_("This concern is %(status)s, so it takes no more flags.", status=status))
        raise ConcernError(_('This concern is %(status)s, so it takes no more "me too"s.', status=status))
    return key


def still_open(concern_id: str) -> bool:
    """Whether the concern still takes "me too"s, read so that a close waits for our commit."""
    # FOR SHARE on PostgreSQL: a status change to resolved/declined waits for our commit.
    row = db.session.execute(
        select(Concern.status, Concern.hidden).where(Concern.id == concern_id).with_for_update(read=True)
    ).first()
    return row is not None and row.status not in CLOSED_STATUSES and not row.hidden


def toggle_support(concern_id: str, member_id: str, *, keys: KeyStore, today: date) -> bool:
    """Add this member's "me too", or take it back; returns True when it now counts.

    A new "me too" is counted at the next window flush. Raises ConcernNotFound, or
    ConcernError when the concern is hidden or closed.
    """
    concern = get_concern(concern_id)
    key = _open_key(concern, keys, SUPPORT)
    mark = nullifier(key, SUPPORT, member_id)
    _window, windows = pending.current_window(db.session, keys)
    if pending.cancel_queued(db.session, windows, SUPPORT, mark):
        db.session.flush()
        return False
    # The counter moves by the rows this DELETE removed: a double click can't subtract twice.
    removed = rows_affected(
        db.session.execute(
            delete(ConcernSupport).where(
                ConcernSupport.concern_id == concern.id, ConcernSupport.nullifier == mark
            )
        )
    )
    if removed:
        add_to_column(db.session, Concern, concern.id, "support_count", -removed)
        db.session.flush()
        return False
    # Under the same lock as token issuance: a member holding a "me too" token says
    # "me too" with it, never with the account as well.
    issuance_mark = nullifier(key, SUPPORT_ISSUANCE, member_id)
    pending.lock_value(db.session, issuance_mark)
    if issued_item_token(db.session, SUPPORT, concern.id, issuance_mark) is not None:
        raise ConcernError(_twice_refusal())
    payload = {"concern_id": concern.id, "nullifier": mark, "supported_on": today.isoformat()}

    def check(_windows: list[pending.Window]) -> None:
        if not still_open(concern.id):
            raise ConcernError(_('This concern was closed just now; your "me too" was not added.'))
        if issued_item_token(db.session, SUPPORT, concern.id, issuance_mark) is not None:
            raise ConcernError(_twice_refusal())

    try:
        pending.queue(db.session, keys, SUPPORT, mark, payload, check=check)
    except IntegrityError as exc:  # a double click raced its twin
        raise ConcernError(_('Your "me too" is already counted.')) from exc
    except pending.WindowClosed as exc:
        raise ConcernError(_('That didn\'t go through; please press "Me too" again.')) from exc
    db.session.flush()
    return True


def _twice_refusal() -> str:
    return _(
        "You have a private token for this concern: say “me too” with it on the device that "
        "holds it (the concern's page there offers it). Doing it with your account as well "
        "would count you twice."
    )


def flag_concern(concern_id: str, member_id: str, *, keys: KeyStore, today: date) -> Concern:
    """Ask moderators to look at a concern, once per member; raises ConcernNotFound or ConcernError."""
    concern = get_concern(concern_id)
    key = _open_key(concern, keys, FLAG)
    try:
        db.session.execute(
            insert(ConcernFlag).values(
                id=random_id(),
                concern_id=concern.id,
                nullifier=nullifier(key, FLAG, member_id),
                flagged_on=today,
            )
        )
    except IntegrityError as exc:
        raise ConcernError(_("You already flagged this concern; moderators will look at it.")) from exc
    if not still_open(concern.id):
        raise ConcernError(_("This concern was closed just now; it takes no more flags."))
    add_to_column(db.session, Concern, concern.id, "flag_count", 1)
    db.session.flush()
    return concern


def support_applier(closing: str | None = None) -> pending.Applier:
    """Write a shuffled batch of queued "me too"s: to concerns still open, and to the one
    being `closing` (its status already says resolved or declined in that transaction)."""

    def apply(session: DbSession, batch: list[dict[str, Any]]) -> None:
        concern_ids = {payload["concern_id"] for payload in batch}
        open_ids = {closing} if closing else set()
        open_ids |= set(
            session.scalars(
                select(Concern.id).where(
                    Concern.id.in_(concern_ids),
                    Concern.status.not_in(CLOSED_STATUSES),
                    Concern.hidden.is_(False),
                )
            )
        )
        rows = [
            {
                "id": random_id(),
                "concern_id": payload["concern_id"],
                "nullifier": payload["nullifier"],
                "supported_on": date.fromisoformat(payload["supported_on"]),
                "token_hash": payload.get("token_hash"),
            }
            for payload in batch
            if payload["concern_id"] in open_ids
        ]
        written = Counter(
            row["concern_id"]
            for row in insert_new_rows(session, ConcernSupport.__table__, ("concern_id", "nullifier"), rows)
        )
        for concern_id, count in sorted(written.items()):
            add_to_column(session, Concern, concern_id, "support_count", count)

    return apply
