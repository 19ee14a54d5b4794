"""The petitions blueprint, shared by the modules that add its routes.

views.py (listing, pages, signing) and manage_views.py (confirm, close, edit, reject) each
import `bp` from here, and `create_app` imports both, so neither imports the other.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("petitions", __name__, url_prefix="/petitions")
