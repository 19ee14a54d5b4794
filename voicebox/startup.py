"""What a server prints when it starts: the one-time set-up link while no admin exists.

Shared by `python app.py` and gunicorn (gunicorn.conf.py), so both say the same thing.
"""

from __future__ import annotations

import sys

from flask import Flask


def announce_setup_link(app: Flask, base_url: str) -> None:
    """While no admin exists, print a one-time link that creates the first one (to stderr)."""
    from voicebox.auth.service import issue_setup_token
    from voicebox.extensions import db
    from voicebox.unit_of_work import unit_of_work

    with app.app_context(), unit_of_work(db.session):
        token = issue_setup_token(app.extensions["voicebox.secrets"].pepper)
    if token:
        print(
            "\n  voicebox has no admin yet. Open this one-time link to create one:\n"
            f"  {base_url.rstrip('/')}/setup/{token}\n",
            file=sys.stderr,
            flush=True,
        )
