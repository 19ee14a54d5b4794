"""A concern's "me too" and a draft's co-sponsorship made with a blind token, and undone.

Redemption carries no account: the token (its message and signature) is the authority.
The action is queued through the counting windows like every other (voicebox.pending),
its nullifier the token's hash, so it is written at the next flush shuffled among the
others and a token counts once however many workers it is sent to at once. A "me too"
can be taken back with the token's phrase while the concern is open, as the account's
can; a co-sponsorship can't be taken back either way. Nothing here commits: the caller
wraps each call in `unit_of_work`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from voicebox import pending
from voicebox.concerns import service as concerns
from voicebox.counters import add_to_column
from voicebox.extensions import db
from voicebox.keyed_items import marked
from voicebox.keystore import KeyStore
from voicebox.messages import N_
from voicebox.models import Concern, ConcernSupport, Cosponsorship, Petition, PetitionStatus
from voicebox.models.base import rows_affected
from voicebox.petitions import service as petitions
from voicebox.tokens import scopes
from voicebox.tokens.rules import TokenError
from voicebox.tokens.scopes import COSPONSOR, SUPPORT
from voicebox.tokens.service import check_message, verified_hash


class ItemNotFound(TokenError):
    """No concern or draft by that id."""


class AlreadyCounted(TokenError):
    """This token was spent already (counted, or waiting for its window)."""


@dataclass(frozen=True)
class _Redemption:
    purpose: str
    item_field: str
    model: Any
    # (item id) -> None, or raises: the item doesn't exist or takes no more of these.
    check_open: Callable[[str], None]
    # (item id) -> whether it still takes them, read FOR SHARE so a close waits for us.
    still_open: Callable[[str], bool]
    already: str
    closed_now: str


def _concern_open(concern_id: str) -> None:
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        raise ItemNotFound(N_("There is no such concern."))
    if concern.hidden or concern.status in concerns.CLOSED_STATUSES:
        raise TokenError(N_("This concern takes no more “me too”s."))


def _draft_open(petition_id: str) -> None:
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise ItemNotFound(N_("There is no such petition."))
    if not petition.is_draft:
        raise TokenError(N_("Only drafts take co-sponsors; this petition is already open."))


def _draft_still_open(petition_id: str) -> bool:
    status = db.session.scalar(
        select(Petition.status).where(Petition.id == petition_id).with_for_update(read=True)
    )
    return status == PetitionStatus.DRAFT.value


_REDEMPTIONS = {
    SUPPORT: _Redemption(
        concerns.SUPPORT,
        "concern_id",
        ConcernSupport,
        _concern_open,
        concerns.still_open,
        N_("This token has already said “me too”."),
        N_("This concern was closed just now; your “me too” was not added."),
    ),
    COSPONSOR: _Redemption(
        petitions.COSPONSOR,
        "petition_id",
        Cosponsorship,
        _draft_open,
        _draft_still_open,
        N_("This token has already co-sponsored this draft."),
        N_("This draft opened just now; your co-sponsorship was not added."),
    ),
}


def redeem(scope: str, item_id: str, message: bytes, signature: bytes, *, keys: KeyStore, today: date) -> str:
    """Queue the "me too" or co-sponsorship a token makes (no commit); returns the token's hash.

    Raises ItemNotFound, AlreadyCounted or TokenError (wrong item or scope, forged, closed).
    """
    check_message(scope, item_id, message)
    rules = _REDEMPTIONS[scope]
    rules.check_open(item_id)
    mark = verified_hash(scope, item_id, message, signature, keys)
    payload: dict[str, Any] = {rules.item_field: item_id, "nullifier": mark, "token_hash": mark}
    if scope == SUPPORT:
        payload["supported_on"] = today.isoformat()

    def check(windows: list[pending.Window]) -> None:
        if not rules.still_open(item_id):
            raise TokenError(rules.closed_now)
        counted = marked(db.session, rules.model, rules.item_field, item_id, mark)
        if counted or pending.is_queued(db.session, windows[1:], rules.purpose, mark):
            raise AlreadyCounted(rules.already)

    try:
        # Two requests with one token, racing across a window change, would each queue in a
        # different window and each miss the other's uncommitted row: they take turns.
        pending.queue(
            db.session,
            keys,
            rules.purpose,
            mark,
            payload,
            lock=lambda: pending.lock_value(db.session, mark),
            check=check,
        )
    except IntegrityError as exc:
        raise AlreadyCounted(rules.already) from exc
    except pending.WindowClosed as exc:
        raise TokenError(N_("That didn't go through; please try again.")) from exc
    return mark


def withdraw_support(concern_id: str, phrase: str, *, keys: KeyStore) -> None:
    """Take back the "me too" a token made, given its phrase (no commit); never the account's.

    Raises ItemNotFound, or TokenError when the concern is closed or no "me too" was made
    with this phrase.
    """
    concern = db.session.get(Concern, concern_id)
    if concern is None:
        raise ItemNotFound(N_("There is no such concern."))
    if concern.status in concerns.CLOSED_STATUSES or concerns.concern_key(concern.id, keys) is None:
        raise TokenError(N_("This concern is closed: its “me too”s can no longer be taken back."))
    mark = scopes.token_hash(scopes.token_message(SUPPORT, concern.id, phrase))
    if pending.cancel_queued(db.session, pending.live_windows(db.session, keys), concerns.SUPPORT, mark):
        return
    # The counter moves by the rows this DELETE removed: two tabs at once subtract once.
    removed = rows_affected(
        db.session.execute(
            delete(ConcernSupport).where(
                ConcernSupport.concern_id == concern.id, ConcernSupport.nullifier == mark
            )
        )
    )
    if not removed:
        raise TokenError(N_("No “me too” on this concern was made with this phrase."))
    add_to_column(db.session, Concern, concern.id, "support_count", -removed)
