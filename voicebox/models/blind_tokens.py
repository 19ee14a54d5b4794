"""Blind-token issuance: which member already fetched a petition's token, and nothing more.

A row says "a member got a token for this petition" (every member fetches one for every
open petition they can see, so it says nothing about intent). The member is named only
by a nullifier under the petition's own key (destroyed at close, when the rows go too),
and the blinded message only by its digest: the server never sees the token itself, and
the blinded message is unlinkable to it by the blind signature's design (RFC 9474).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base, random_pk


class TokenIssuance(Base):
    __tablename__ = "token_issuances"
    __table_args__ = (
        UniqueConstraint("petition_id", "member_mark", name="uq_token_issuances_petition_member"),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    member_mark: Mapped[str] = mapped_column(String(64))
    # sha256 of the blinded message: a second request with the same message is answered
    # with the same blind signature, any other is refused.
    blinded_digest: Mapped[str] = mapped_column(String(64))


class ItemTokenIssuance(Base):
    """The same for a concern's "me too" token or a draft's co-sponsorship token.

    `scope` says which ("support" or "cosponsor"); `item_id` is the concern's or the
    draft's id (no foreign key: it names rows of two tables). The member mark is a
    nullifier under that item's own key, and the rows go when the item stops taking
    tokens (a concern resolved or declined, a draft opened or rejected).
    """

    __tablename__ = "item_token_issuances"
    __table_args__ = (
        UniqueConstraint("scope", "item_id", "member_mark", name="uq_item_token_issuances_scope_item_member"),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    scope: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    member_mark: Mapped[str] = mapped_column(String(64))
    blinded_digest: Mapped[str] = mapped_column(String(64))
