"""Taking a flag back: the undo of `service.flag_concern`, while the concern is open.

The flag is found the same way it was made, by recomputing the member's nullifier under
the concern's key (A2); once the concern is resolved or declined that key is gone and a
flag, like a "me too", is permanent.
"""

from __future__ import annotations

from sqlalchemy import delete, update

from voicebox.anonymity import nullifier
from voicebox.concerns.service import CLOSED_STATUSES, FLAG, ConcernError, concern_key, get_concern
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.labels import request_gettext as _
from voicebox.labels import status_label
from voicebox.models import Concern, ConcernFlag
from voicebox.models.base import rows_affected


def take_back_flag(concern_id: str, member_id: str, *, keys: KeyStore) -> Concern:
    """Remove this member's flag; raises ConcernNotFound, or ConcernError if there is none."""
    concern = get_concern(concern_id)
    key = concern_key(concern.id, keys)
    if key is None or concern.status in CLOSED_STATUSES:
        raise ConcernError(
            _(
                "This concern is %(status)s, so flags on it are permanent and can't be taken back.",
                status=status_label(concern.status),
            )
        )
    # The count moves by the rows this DELETE removed: two tabs taking a flag back at once
    # remove one flag and subtract one.
    removed = rows_affected(
        db.session.execute(
            delete(ConcernFlag).where(
                ConcernFlag.concern_id == concern.id,
                ConcernFlag.nullifier == nullifier(key, FLAG, member_id),
            )
        )
    )
    if not removed:
        raise ConcernError(_("You haven't flagged this concern."))
    # The count is what moderators have not reviewed yet; a flag they already dismissed
    # isn't in it, so it never goes below zero.
    db.session.execute(
        update(Concern)
        .where(Concern.id == concern.id, Concern.flag_count > 0)
        .values(flag_count=Concern.flag_count - 1)
    )
    db.session.flush()
    return concern
