"""What a petition page adds beyond its tally: chart, group breakdown, thresholds, answers.

Also serves the petition's chart as an SVG resource of its own (never inline HTML).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, url_for

from voicebox.auth.access import login_required
from voicebox.auth.service import instance_settings
from voicebox.charts import SVG_HEADERS, timeline_svg
from voicebox.extensions import db
from voicebox.models import Petition
from voicebox.reports.tallies import daily_series, group_week_table, suppression_threshold
from voicebox.responses.service import PETITION, petition_start
from voicebox.responses.thresholds import crossings_of, record_crossings
from voicebox.responses.views import response_panel
from voicebox.web import today

bp = Blueprint("tallies", __name__)


def petition_extras(petition: Petition) -> dict[str, Any]:
    """Template context for the petition page's extras block; empty for drafts."""
    if petition.is_draft or petition.is_rejected:
        return {"extras": None}
    record_crossings(instance_settings().headcount, today())
    threshold = suppression_threshold()
    return {
        "extras": {
            "threshold": threshold,
            "daily": daily_series(petition.id),
            "breakdown": group_week_table(petition.id, threshold),
            "crossings": crossings_of(petition.id),
            "chart_url": url_for("tallies.petition_chart", petition_id=petition.id),
        },
        "answers": response_panel(PETITION, petition.id, petition_start(petition), can_respond=True),
    }


@bp.get("/petitions/<petition_id>/chart.svg")
@login_required
def petition_chart(petition_id: str) -> Response:
    petition = db.session.get(Petition, petition_id)
    if petition is None or (petition.is_draft or petition.is_rejected):
        abort(404)
    svg = timeline_svg("Signatures over time", [(petition.title, daily_series(petition.id))])
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)
