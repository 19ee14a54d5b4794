"""Per scope: which items take tokens, who may hold one, and how holding one is remembered.

A petition signature, a concern's "me too" and a draft's co-sponsorship each have an
account path too; a member who acted with the account gets no token for that item, and a
member holding a token can't act with the account (both would count them twice). The
member is named only by a nullifier under the item's own key; issuance of the signature
scope predates the others and keeps its own table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select

from voicebox.anonymity import nullifier, random_id
from voicebox.concerns import service as concerns
from voicebox.extensions import db
from voicebox.keyed_items import counted_or_queued, issued_item_token, marked
from voicebox.keystore import KeyStore
from voicebox.messages import N_
from voicebox.models import (
    Concern,
    ConcernSupport,
    Cosponsorship,
    ItemTokenIssuance,
    Petition,
    PetitionStatus,
    TokenIssuance,
)
from voicebox.petitions import service as petitions
from voicebox.petitions.service import PetitionError
from voicebox.tokens.scopes import COSPONSOR, SIGNATURE, SUPPORT

REFUSED = {
    SIGNATURE: N_("No token can be issued for this petition."),
    SUPPORT: N_("No “me too” token can be issued for this concern."),
    COSPONSOR: N_("No co-sponsorship token can be issued for this draft."),
}


class TokenError(PetitionError):
    """A token that can't be issued or used; the message is for the member."""


@dataclass(frozen=True)
class Rules:
    scope: str
    # Nullifier purpose of "this member was issued this item's token".
    purpose: str
    # (item id, member id, keys, today) -> the item's key; raises TokenError when the item
    # takes no tokens now or this member may not hold one.
    item_key: Callable[[str, str, KeyStore, date], bytes]
    # (item id, item key, member id, keys) -> whether the member acted with the account.
    account_acted: Callable[[str, bytes, str, KeyStore], bool]
    # (item id, member mark) -> the digest of the blinded message issued, if any.
    issued_digest: Callable[[str, str], str | None]
    # (item id, member mark, digest): remember the issuance (no commit).
    record: Callable[[str, str, str], None]
    # (keys, today) -> (id, title) of every item taking tokens of this scope, by id.
    open_items: Callable[[KeyStore, date], list[tuple[str, str]]]


def _refuse(scope: str) -> TokenError:
    return TokenError(REFUSED[scope])


# Petition signatures ----------------------------------------------------------------


def _petition_key(petition_id: str, member_id: str, keys: KeyStore, today: date) -> bytes:
    petitions.open_for_signing(petition_id, today)
    key = petitions.petition_key(petition_id, keys)
    if key is None:
        raise _refuse(SIGNATURE)
    return key


def _signature_digest(petition_id: str, mark: str) -> str | None:
    return db.session.scalar(
        select(TokenIssuance.blinded_digest).where(
            TokenIssuance.petition_id == petition_id, TokenIssuance.member_mark == mark
        )
    )


def _record_signature(petition_id: str, mark: str, digest: str) -> None:
    db.session.execute(
        insert(TokenIssuance).values(
            id=random_id(), petition_id=petition_id, member_mark=mark, blinded_digest=digest
        )
    )


def _open_petitions(keys: KeyStore, today: date) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Petition.id, Petition.title, Petition.closes_on)
        .where(Petition.status == PetitionStatus.OPEN.value)
        .order_by(Petition.id)
    ).all()
    return [
        (row.id, row.title)
        for row in rows
        if (row.closes_on is None or row.closes_on >= today) and keys.exists(petitions.PETITION, row.id)
    ]


# Concern "me too"s and draft co-sponsorships share one issuance table -----------------


def _item_digest(scope: str) -> Callable[[str, str], str | None]:
    def digest(item_id: str, mark: str) -> str | None:
        return issued_item_token(db.session, scope, item_id, mark)

    return digest


def _item_record(scope: str) -> Callable[[str, str, str], None]:
    def record(item_id: str, mark: str, digest: str) -> None:
        db.session.execute(
            insert(ItemTokenIssuance).values(
                id=random_id(), scope=scope, item_id=item_id, member_mark=mark, blinded_digest=digest
            )
        )

    return record


def _concern_key(concern_id: str, member_id: str, keys: KeyStore, today: date) -> bytes:
    concern = db.session.get(Concern, concern_id)
    key = concerns.concern_key(concern_id, keys)
    if concern is None or key is None or concern.hidden or concern.status in concerns.CLOSED_STATUSES:
        raise _refuse(SUPPORT)
    return key


def _supported_with_account(concern_id: str, key: bytes, member_id: str, keys: KeyStore) -> bool:
    mark = nullifier(key, concerns.SUPPORT, member_id)
    counted, queued = counted_or_queued(
        db.session, keys, ConcernSupport, "concern_id", concern_id, concerns.SUPPORT, mark
    )
    return counted or queued


def _open_concerns(keys: KeyStore, today: date) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Concern.id, Concern.title)
        .where(Concern.status.not_in(concerns.CLOSED_STATUSES), Concern.hidden.is_(False))
        .order_by(Concern.id)
    ).all()
    return [(row.id, row.title) for row in rows if keys.exists(concerns.CONCERN, row.id)]


def _draft_key(petition_id: str, member_id: str, keys: KeyStore, today: date) -> bytes:
    petition = db.session.get(Petition, petition_id)
    key = petitions.petition_key(petition_id, keys)
    if petition is None or key is None or not petition.is_draft:
        raise _refuse(COSPONSOR)
    # The author can't co-sponsor their own draft, with the account or with a token.
    if petition.author_nullifier == nullifier(key, petitions.AUTHOR, member_id):
        raise _refuse(COSPONSOR)
    return key


def _cosponsored_with_account(petition_id: str, key: bytes, member_id: str, keys: KeyStore) -> bool:
    mark = nullifier(key, petitions.COSPONSOR, member_id)
    return marked(db.session, Cosponsorship, "petition_id", petition_id, mark)


def _open_drafts(keys: KeyStore, today: date) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Petition.id, Petition.title)
        .where(Petition.status == PetitionStatus.DRAFT.value)
        .order_by(Petition.id)
    ).all()
    return [(row.id, row.title) for row in rows if keys.exists(petitions.PETITION, row.id)]


RULES = {
    SIGNATURE: Rules(
        SIGNATURE,
        petitions.BLIND_ISSUANCE,
        _petition_key,
        lambda item_id, key, member_id, keys: petitions.signed_with_account(item_id, key, member_id, keys),
        _signature_digest,
        _record_signature,
        _open_petitions,
    ),
    SUPPORT: Rules(
        SUPPORT,
        concerns.SUPPORT_ISSUANCE,
        _concern_key,
        _supported_with_account,
        _item_digest(SUPPORT),
        _item_record(SUPPORT),
        _open_concerns,
    ),
    COSPONSOR: Rules(
        COSPONSOR,
        petitions.COSPONSOR_ISSUANCE,
        _draft_key,
        _cosponsored_with_account,
        _item_digest(COSPONSOR),
        _item_record(COSPONSOR),
        _open_drafts,
    ),
}
