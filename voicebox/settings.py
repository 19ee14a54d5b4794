"""The instance's settings: one row, read by every area, owned by none."""

from __future__ import annotations

from voicebox.extensions import db
from voicebox.models import InstanceSettings


def instance_settings() -> InstanceSettings:
    """The single settings row, created with defaults the first time it is asked for."""
    settings = db.session.get(InstanceSettings, 1)
    if settings is None:
        settings = InstanceSettings(id=1)
        db.session.add(settings)
        db.session.flush()
    return settings
