"""What a petition page adds beyond its tally: chart, group breakdown, thresholds, answers.

The routes that go with it (the chart as an SVG resource, hiding a comment) are the
petitions blueprint's, in voicebox/petitions/page_views.py.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from voicebox.charts import DESKTOP, chart_height, running_rows
from voicebox.forms import ConfirmForm
from voicebox.models import Petition, Role
from voicebox.petitions import comments
from voicebox.reports.tallies import daily_series, group_week_table, suppression_threshold
from voicebox.responses.service import PETITION, petition_start
from voicebox.responses.thresholds import crossings_of
from voicebox.responses.views import response_panel
from voicebox.web import current_secrets

# Who reads signing comments: the people a petition is addressed to and those who run it.
COMMENT_READERS = (Role.ORGANIZER, Role.LEADERSHIP)


def petition_extras(petition: Petition) -> dict[str, Any]:
    """Template context for the petition page's extras block; empty for drafts."""
    if petition.is_draft or petition.is_rejected:
        return {"extras": None}
    threshold = suppression_threshold()
    daily = daily_series(petition.id)
    return {
        "extras": {
            "threshold": threshold,
            "daily": daily,
            "chart": {
                "url": url_for("petitions.chart", petition_id=petition.id),
                "phone_url": url_for("petitions.chart", petition_id=petition.id, size="phone"),
                "height": chart_height(DESKTOP, 1),
                "rows": running_rows(daily),
                "caption": _("Running total of signatures, from the day it opened through today."),
            },
            "breakdown": group_week_table(petition.id, threshold),
            "comments": _comments(petition, threshold),
            "moderate_comments": current_user.has_role(Role.ORGANIZER),
            "comment_confirm_form": ConfirmForm(),
            "crossings": crossings_of(petition.id),
            "chart_url": url_for("petitions.chart", petition_id=petition.id),
        },
        "answers": response_panel(PETITION, petition.id, petition_start(petition), can_respond=True),
    }


def _comments(petition: Petition, threshold: int) -> comments.CommentsView | None:
    if not current_user.has_role(*COMMENT_READERS):
        return None
    return comments.petition_comments(
        petition.id, current_secrets(), signature_count=petition.signature_count, threshold=threshold
    )
