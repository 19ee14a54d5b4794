"""The concerns blueprint, shared by the modules that add its routes.

views.py (members' pages), moderation_views.py (organizers) and confirm_views.py (the
confirmation steps) each import `bp` from here, and `create_app` imports all three, so none
of them imports another.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("concerns", __name__, url_prefix="/concerns")
