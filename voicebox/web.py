"""Small bridges between Flask's request world and the services, which never see it."""

from __future__ import annotations

from datetime import date

from flask import current_app

from voicebox.anonymity import coarse_date
from voicebox.config import Secrets


def current_secrets() -> Secrets:
    """The instance secrets loaded by create_app."""
    return current_app.extensions["voicebox.secrets"]


def today() -> date:
    """Today's UTC date; the only clock the app keeps for member actions (A3)."""
    return coarse_date()
