"""The audit log's actions as the page's language reads them.

Events keep their English action names in the database (and in the API); the page shows a
translated label for each action voicebox records, and an unknown one as stored.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from voicebox.labels import kind_label, status_label

ACTION_LABELS = {
    "added a concern category": _l("added a concern category"),
    "added a group": _l("added a group"),
    "added a response threshold": _l("added a response threshold"),
    "changed a concern's status": _l("changed a concern's status"),
    "changed a role": _l("changed a role"),
    "changed settings": _l("changed settings"),
    "closed a petition": _l("closed a petition"),
    "closed a petition on its closing date": _l("closed a petition on its closing date"),
    "created a read-only API token": _l("created a read-only API token"),
    "created an account from the console": _l("created an account from the console"),
    "drafted a report": _l("drafted a report"),
    "edited a draft petition": _l("edited a draft petition"),
    "edited a report": _l("edited a report"),
    "hid a concern": _l("hid a concern"),
    "hid a signing comment": _l("hid a signing comment"),
    "issued an invite": _l("issued an invite"),
    "kept a flagged concern visible": _l("kept a flagged concern visible"),
    "made a backup": _l("made a backup"),
    "opened a petition": _l("opened a petition"),
    "purged expired data": _l("purged expired data"),
    "rejected a draft petition": _l("rejected a draft petition"),
    "removed a concern category": _l("removed a concern category"),
    "removed a response threshold": _l("removed a response threshold"),
    "replied privately to a concern's author": _l("replied privately to a concern's author"),
    "restored the database from a backup": _l("restored the database from a backup"),
    "revoked an API token": _l("revoked an API token"),
    "revoked an invite": _l("revoked an invite"),
    "rotated the data key": _l("rotated the data key"),
    "set up the instance": _l("set up the instance"),
    "showed a signing comment again": _l("showed a signing comment again"),
    "unhid a concern": _l("unhid a concern"),
}

PUBLISHED = re.compile(r"published a report \(version (\d+)\)")
RESPONDED = re.compile(r"responded to a (petition|concern) \(([a-z ]+)\)")


def action_label(action: str) -> str:
    """One stored action name as the reader's language says it."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    if match := PUBLISHED.fullmatch(action):
        return _("published a report (version %(version)s)", version=match.group(1))
    if match := RESPONDED.fullmatch(action):
        return _(
            "responded to a %(kind)s (%(status)s)",
            kind=kind_label(match.group(1)),
            status=status_label(match.group(2)),
        )
    return action
