"""Signing comments as organizers and leadership read them, and their moderation.

Shown the way suppression allows: anonymously, shuffled, with no date or group, and only
once a petition has at least k signatures, so a comment can't be pinned on the first few
signers. Everything that reads comment text goes through `petition_comments`, the one
place that opens the ciphertext (A5).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from voicebox.auditlog.record import record_event
from voicebox.config import Secrets
from voicebox.crypto import CryptoError, decrypt_text
from voicebox.extensions import db
from voicebox.messages import N_, Message
from voicebox.models import HiddenComment, Petition, Signature
from voicebox.models.comments import REASON_MAX
from voicebox.petitions.counting import comment_context

_shuffle = random.SystemRandom().shuffle


class CommentError(Exception):
    """A moderation request that can't be carried out; the message is for the organizer."""


class CommentNotFound(CommentError):
    pass


@dataclass(frozen=True)
class SigningComment:
    """One comment: a handle for moderators, its text, and a public reason when hidden."""

    handle: str
    text: str
    hidden_reason: str | None = None

    @property
    def hidden(self) -> bool:
        return self.hidden_reason is not None


@dataclass(frozen=True)
class CommentsView:
    """What a page may show: nothing below k (`shown` False), else the comments in random order."""

    shown: bool
    threshold: int
    comments: list[SigningComment]

    @property
    def visible(self) -> list[SigningComment]:
        return [c for c in self.comments if not c.hidden]


def petition_comments(
    petition_id: str, secrets: Secrets, *, signature_count: int, threshold: int, shuffle: bool = True
) -> CommentsView:
    """Every signing comment on one petition, shuffled, once it has at least `threshold` signatures."""
    if signature_count < threshold:
        return CommentsView(shown=False, threshold=threshold, comments=[])
    rows = db.session.execute(
        select(Signature.id, Signature.comment_ciphertext, HiddenComment.reason)
        .outerjoin(HiddenComment, HiddenComment.signature_id == Signature.id)
        .where(Signature.petition_id == petition_id, Signature.comment_ciphertext.is_not(None))
    ).all()
    comments = []
    for signature_id, sealed, reason in rows:
        try:
            text = decrypt_text(secrets.data_key, sealed, comment_context(signature_id))
        except CryptoError:
            continue  # a row that doesn't open under this instance's key shows nothing
        comments.append(SigningComment(signature_id, text, reason))
    if shuffle:
        _shuffle(comments)
    else:
        comments.sort(key=lambda c: (c.text, c.handle))
    return CommentsView(shown=True, threshold=threshold, comments=comments)


def quoted_comments(
    petition: Petition, chosen: Sequence[str], secrets: Secrets, *, threshold: int
) -> list[str]:
    """The visible comments an organizer ticked for a report, in a stable order (for the digest)."""
    view = petition_comments(
        petition.id, secrets, signature_count=petition.signature_count, threshold=threshold, shuffle=False
    )
    wanted = set(chosen)
    return [c.text for c in view.visible if c.handle in wanted]


def _comment_on(signature_id: str) -> tuple[Signature, Petition]:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.comment_ciphertext is None:
        raise CommentNotFound(N_("There is no such comment."))
    petition = db.session.get(Petition, signature.petition_id)
    assert petition is not None  # noqa: S101 - the foreign key guarantees it
    return signature, petition


def hide_comment(signature_id: str, reason: str, *, actor_role: str, today: date) -> Petition:
    """Hide a comment behind a public reason; raises CommentNotFound or CommentError."""
    reason = " ".join(reason.split())
    if not reason:
        raise CommentError(N_("Give the reason members will see for hiding it."))
    if len(reason) > REASON_MAX:
        raise CommentError(Message(N_("Keep the reason under %(max)s characters."), max=REASON_MAX))
    signature, petition = _comment_on(signature_id)
    if db.session.get(HiddenComment, signature.id) is not None:
        raise CommentError(N_("This comment is already hidden."))
    db.session.add(HiddenComment(signature_id=signature.id, reason=reason, hidden_on=today))
    record_event(db.session, actor_role, "hid a signing comment", f"{petition.title}: {reason}", on=today)
    db.session.flush()
    return petition


def unhide_comment(signature_id: str, *, actor_role: str, today: date) -> Petition:
    """Show a hidden comment again; raises CommentNotFound or CommentError."""
    signature, petition = _comment_on(signature_id)
    if db.session.get(HiddenComment, signature.id) is None:
        raise CommentError(N_("This comment is not hidden."))
    db.session.execute(delete(HiddenComment).where(HiddenComment.signature_id == signature.id))
    record_event(db.session, actor_role, "showed a signing comment again", petition.title, on=today)
    db.session.flush()
    return petition
