"""The concerns blueprint, shared by the modules that add its routes.

views.py (members' pages), moderation_views.py (organizers) and confirm_views.py (the
confirmation steps) each import `bp` from here, and `create_app` imports all three, so none
of them imports another.
"""

from __future__ import annotations

from flask import Blueprint

from voicebox.concerns.labels import iso_date, kind_label, role_label, status_label

bp = Blueprint("concerns", __name__, url_prefix="/concerns")

# Stored English values (statuses, roles, item kinds) shown in the reader's language.
bp.add_app_template_filter(status_label, "status_label")
bp.add_app_template_filter(role_label, "role_label")
bp.add_app_template_filter(kind_label, "kind_label")
bp.add_app_template_filter(iso_date, "iso_date")
