"""A member's own account: change the password, see everything held about them, leave.

What links a member to their signatures is only the nullifier under each open petition's
key, so "everything held about you" is computed, not looked up: recompute the nullifier
for every item whose key still exists and see what matches. Closed items have no key and
nothing written through a receipt phrase can be found at all; that is the design.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from voicebox import pending
from voicebox.anonymity import nullifier, random_id
from voicebox.auth.passwords import N_, PasswordPolicy, feedback_text, password_feedback
from voicebox.auth.service import AccountError, LoginFailed, WeakPassword
from voicebox.concerns import service as concerns
from voicebox.config import Secrets
from voicebox.counters import add_to_column
from voicebox.crypto import CryptoError, decrypt_text
from voicebox.extensions import db
from voicebox.keyed_items import Keyed, keyed_items, own_rows
from voicebox.keystore import KeyStore
from voicebox.models import (
    Concern,
    ConcernFlag,
    ConcernSupport,
    Cosponsorship,
    Group,
    Petition,
    Role,
    Signature,
    User,
)
from voicebox.petitions import service as petitions
from voicebox.petitions.breakdown import open_group
from voicebox.petitions.counting import comment_context

NOT_LINKABLE = (
    "Nothing else in voicebox can be linked to your account, not even by its operators: "
    'signatures on closed petitions and "me too"s on resolved or declined concerns lost '
    "their link when the item's key was destroyed, "
    "and concerns and follow-up messages are reachable only with their receipt phrase, "
    "which is never stored. voicebox keeps no email address, no IP address, no log of "
    "when you signed in and no time of day for anything you did."
)


@dataclass(frozen=True)
class SignedPetition:
    """One petition this member has signed and can still withdraw from."""

    petition: Petition
    signature: Signature


def _user(user_id: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError(N_("This account no longer exists."))
    return user


def _keyed_petitions(keys: KeyStore) -> Keyed:
    return keyed_items(db.session, Petition, petitions.PETITION, keys)


def _keyed_concerns(keys: KeyStore) -> Keyed:
    return keyed_items(db.session, Concern, concerns.CONCERN, keys)


def _own_rows(
    model: Any, item_column: str, keyed: Keyed, purpose: str, member_id: str
) -> list[tuple[Any, Any]]:
    return own_rows(db.session, model, item_column, keyed, purpose, member_id)


def signed_petitions(member_id: str, keys: KeyStore, keyed: Keyed | None = None) -> list[SignedPetition]:
    """The still-linkable signatures of this member, found by recomputing nullifiers."""
    keyed = _keyed_petitions(keys) if keyed is None else keyed
    return [
        SignedPetition(petition, signature)
        for petition, signature in _own_rows(Signature, "petition_id", keyed, petitions.SIGN, member_id)
    ]


def supported_concerns(
    member_id: str, keys: KeyStore, keyed: Keyed | None = None
) -> list[tuple[Concern, ConcernSupport]]:
    """The concerns this member said "me too" to that can still be linked to them."""
    keyed = _keyed_concerns(keys) if keyed is None else keyed
    return _own_rows(ConcernSupport, "concern_id", keyed, concerns.SUPPORT, member_id)


def change_password(user_id: str, current: str, new: str, *, policy: PasswordPolicy) -> User:
    """Set a new password and end every other session; raises LoginFailed or WeakPassword."""
    user = _user(user_id)
    if not policy.verify(user.password_hash, current):
        raise LoginFailed(N_("Your current password is not correct."))
    if new == current:
        raise WeakPassword(N_("Choose a password different from the current one."))
    feedback = password_feedback(new, user.username)
    if feedback:
        raise WeakPassword(feedback_text(feedback), feedback)
    user.password_hash = policy.hash(new)
    # Sessions carry this token, not the user id: a new one signs out every browser
    # that knew the old password, including one an attacker may hold.
    user.session_token = random_id()
    db.session.flush()
    return user


@dataclass(frozen=True)
class DeletionSummary:
    withdrawn_signatures: int
    withdrawn_supports: int = 0


def delete_account(
    user_id: str,
    password: str,
    *,
    withdraw: bool,
    secrets: Secrets,
    keys: KeyStore,
    policy: PasswordPolicy,
    today: date,
) -> DeletionSummary:
    """Delete the account, first withdrawing its signatures if asked; raises LoginFailed or AccountError.

    All of it is one transaction: if any step fails, the account and every signature and
    "me too" it had are still there, as if nothing was asked.
    """
    user = _user(user_id)
    if not policy.verify(user.password_hash, password):
        raise LoginFailed(N_("Your password is not correct."))
    if user.role == Role.ADMIN.value:
        admins = db.session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
        )
        if (admins or 0) <= 1:
            raise AccountError(N_("You are the only admin. Make someone else admin first."))
    withdrawn, supports = _withdraw_everything(user, keys, secrets) if withdraw else (0, 0)
    db.session.delete(user)
    db.session.flush()
    return DeletionSummary(withdrawn_signatures=withdrawn, withdrawn_supports=supports)


def _withdraw_everything(user: User, keys: KeyStore, secrets: Secrets) -> tuple[int, int]:
    """Take back every signature and "me too" of `user` (no commit): (signatures, supports)."""
    # One transaction now spans the queue and the counted rows: keep the tick from writing
    # a queued action between the two passes, or it would survive the account.
    pending.hold_counting(db.session)
    withdrawn = 0
    windows = pending.live_windows(db.session, keys)
    for _petition, key in _keyed_petitions(keys):
        # Signatures and "me too"s still waiting to be counted leave the queue.
        if pending.cancel_queued(
            db.session, windows, petitions.SIGN, nullifier(key, petitions.SIGN, user.id)
        ):
            withdrawn += 1
    for _concern, key in _keyed_concerns(keys):
        pending.cancel_queued(
            db.session, windows, concerns.SUPPORT, nullifier(key, concerns.SUPPORT, user.id)
        )
    for signed in signed_petitions(user.id, keys):
        try:
            petitions.remove_signature(signed.petition.id, user.id, keys=keys, secrets=secrets)
        except petitions.PetitionError:
            continue  # closed meanwhile: no longer linkable, nothing to withdraw
        withdrawn += 1
    supports = supported_concerns(user.id, keys)
    for concern, support in supports:
        # Removed directly, not through the "me too" toggle: a hidden concern refuses
        # new supports, but a member leaving must still be able to take theirs back.
        db.session.delete(support)
        db.session.flush()
        add_to_column(db.session, Concern, concern.id, "support_count", -1)
    return withdrawn, len(supports)


def _petition_summary(petition: Petition) -> dict[str, Any]:
    return {"id": petition.id, "title": petition.title, "status": petition.status}


def _comment(signature: Signature, secrets: Secrets) -> str | None:
    if signature.comment_ciphertext is None:
        return None
    try:
        return decrypt_text(secrets.data_key, signature.comment_ciphertext, comment_context(signature.id))
    except CryptoError:
        return None


def member_data(user_id: str, secrets: Secrets, keys: KeyStore) -> dict[str, Any]:
    """Everything voicebox holds that can be linked to this member, as plain data; raises AccountError."""
    user = _user(user_id)
    keyed = _keyed_petitions(keys)
    keyed_concerns = _keyed_concerns(keys)
    groups = {group.id: group.name for group in db.session.scalars(select(Group))}
    signatures = [
        {
            "petition": _petition_summary(item.petition),
            "signed_on": item.signature.signed_on.isoformat(),
            "public_name": item.signature.display_name,
            "group": groups.get(
                open_group(secrets.data_key, item.signature.id, item.signature.group_ciphertext) or -1
            ),
            "comment": _comment(item.signature, secrets),
        }
        for item in signed_petitions(user.id, keys, keyed)
    ]
    cosponsored = [
        _petition_summary(petition)
        for petition, _ in _own_rows(Cosponsorship, "petition_id", keyed, petitions.COSPONSOR, user.id)
    ]
    started = [
        _petition_summary(petition)
        for petition, key in keyed
        if petition.author_nullifier == nullifier(key, petitions.AUTHOR, user.id)
    ]
    supports = [
        {
            "concern": {"id": c.id, "title": c.title, "status": c.status},
            "supported_on": row.supported_on.isoformat(),
        }
        for c, row in supported_concerns(user.id, keys, keyed_concerns)
    ]
    flags = [
        {"concern": {"id": c.id, "title": c.title}, "flagged_on": row.flagged_on.isoformat()}
        for c, row in _own_rows(ConcernFlag, "concern_id", keyed_concerns, concerns.FLAG, user.id)
    ]
    return {
        "account": {
            "username": user.username,
            "role": user.role,
            "created_on": user.created_on.isoformat(),
        },
        "signatures": signatures,
        "cosponsored_drafts": cosponsored,
        "started_petitions": started,
        "concern_supports": supports,
        "concern_flags": flags,
        "not_included": NOT_LINKABLE,
    }
