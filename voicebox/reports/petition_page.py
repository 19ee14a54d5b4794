"""What a petition page adds beyond its tally: chart, group breakdown, thresholds, answers.

Split by who may see it: `figures_context` and `answers_context` (without leadership's
form) are the same for every reader, so voicebox/petitions/page.py renders them once per
page version; `comments_context` is for organizers and leadership only and is built per
request. The routes that go with it (the chart as an SVG resource, hiding a comment) are
the petitions blueprint's, in voicebox/petitions/page_views.py.
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


def has_extras(petition: Petition) -> bool:
    """Drafts and rejected drafts have no figures, comments or answers."""
    return not (petition.is_draft or petition.is_rejected)


def figures_context(petition: Petition) -> dict[str, Any]:
    """The chart, daily figures and group breakdown: the same for everyone."""
    threshold = suppression_threshold()
    daily = daily_series(petition.id)
    return {
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
    }


def answers_context(petition: Petition, *, with_form: bool) -> dict[str, Any]:
    """Thresholds crossed and the official-responses panel; leadership's form (with its
    CSRF token) only `with_form`."""
    return {
        "crossings": crossings_of(petition.id),
        "answers": response_panel(PETITION, petition.id, petition_start(petition), can_respond=with_form),
    }


def comments_context(petition: Petition, threshold: int) -> dict[str, Any] | None:
    """Signing comments and their moderation forms, for comment readers only (else None)."""
    if not current_user.has_role(*COMMENT_READERS):
        return None
    return {
        "comments": comments.petition_comments(
            petition.id, current_secrets(), signature_count=petition.signature_count, threshold=threshold
        ),
        "moderate_comments": current_user.has_role(Role.ORGANIZER),
        "comment_confirm_form": ConfirmForm(),
    }
