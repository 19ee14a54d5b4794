"""Report pages: list, compose, preview, publish, read versions, exports and charts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_translations, gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from voicebox.auth.access import login_required, role_required
from voicebox.charts import DESKTOP, SVG_HEADERS, chart_height, timeline_svg
from voicebox.extensions import db
from voicebox.i18n import local_number
from voicebox.labels import chart_text, iso_date, status_label
from voicebox.models import Report, Role
from voicebox.reports import exports, pdf, service
from voicebox.reports.forms import PublishForm, ReportForm
from voicebox.reports.tallies import suppression_threshold
from voicebox.settings import instance_settings
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_secrets, today

bp = Blueprint("reports", __name__, url_prefix="/reports")

COMPOSERS = (Role.ORGANIZER,)
EXPORTS: dict[str, tuple[str, Callable[[dict[str, Any], str], bytes | str]]] = {
    "pdf": ("application/pdf", pdf.to_pdf),
    "csv": ("text/csv", exports.to_csv),  # Flask adds the one charset parameter
    "json": ("application/json", exports.to_json),
}


# Values stored in English inside a snapshot that a reader sees named in their language.
SNAPSHOT_WORDS = {
    "Not stated": _l("Not stated"),
    "Uncategorized": _l("Uncategorized"),
    "Hidden by moderators": _l("Hidden by moderators"),
}


def _snapshot_label(value: str) -> str:
    word = SNAPSHOT_WORDS.get(value)
    return str(word) if word is not None else status_label(value)


def pdf_language() -> pdf.PdfLanguage:
    """The PDF's words in this request's language; the snapshot and its digest don't change."""
    return pdf.PdfLanguage(
        gettext=gettext,
        ngettext=get_translations().ungettext,
        label=_snapshot_label,
        number=local_number,
        date=iso_date,
        chart=chart_text(),
        fraction=None if str(get_locale() or "en").startswith("en") else local_number,
    )


def _is_composer() -> bool:
    return current_user.has_role(*COMPOSERS)


def _form(report: Report | None = None) -> ReportForm:
    if report is not None and request.method == "GET":
        # The form's field names differ from the draft's: pass the selections by name,
        # or the edit page would come back with every petition and concern unticked.
        draft = service.draft_of(report)
        form = ReportForm(
            obj=draft, petitions=draft.petition_ids, concerns=draft.concern_ids, comments=draft.comment_ids
        )
    else:
        form = ReportForm()
    form.comments.choices = _comment_choices(report)
    form.petitions.choices = [
        (
            p.id,
            _(
                "%(title)s (%(count)s signatures, %(status)s)",
                title=p.title,
                count=local_number(p.signature_count),
                status=status_label(p.status),
            ),
        )
        for p in service.selectable_petitions()
    ]
    form.concerns.choices = [
        (
            c.id,
            _("%(title)s (hidden by moderators)", title=c.title)
            if c.hidden
            else _("%(title)s (%(count)s supports)", title=c.title, count=local_number(c.support_count)),
        )
        for c in service.selectable_concerns()
    ]
    return form


def _comment_choices(report: Report | None) -> list[tuple[str, str]]:
    if report is None:
        return []
    return [
        (handle, f"{title}: “{text}”")
        for handle, title, text in service.quotable_comments(
            report, current_secrets(), threshold=suppression_threshold()
        )
    ]


def _draft(form: ReportForm) -> service.ReportDraft:
    return service.ReportDraft(
        title=form.title.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        narrative=form.narrative.data or "",
        petition_ids=list(form.petitions.data or []),
        concern_ids=list(form.concerns.data or []),
        comment_ids=list(form.comments.data or []),
    )


def _show_errors(form: ReportForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors = [message]


@bp.get("")
@login_required
def index() -> str:
    return render_template(
        "reports/index.html",
        listings=service.list_reports(include_unpublished=_is_composer()),
        can_compose=_is_composer(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*COMPOSERS)
def new() -> str | WerkzeugResponse:
    form = _form()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                report = service.create_report(_draft(form), actor_role=current_user.role, today=today())
        except service.InvalidReport as exc:
            _show_errors(form, exc.errors)
        else:
            flash(_("Report saved. Check the preview, then publish."), "success")
            return redirect(url_for("reports.detail", report_id=report.id))
    return render_template("reports/compose.html", form=form, report=None)


@bp.route("/<report_id>/edit", methods=["GET", "POST"])
@role_required(*COMPOSERS)
def edit(report_id: str) -> str | WerkzeugResponse:
    report = _load(report_id)
    form = _form(report)
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session):
                service.update_report(report.id, _draft(form), actor_role=current_user.role, today=today())
        except service.InvalidReport as exc:
            _show_errors(form, exc.errors)
        else:
            flash(_("Saved. Published versions are unchanged until you publish again."), "success")
            return redirect(url_for("reports.detail", report_id=report.id))
    return render_template("reports/compose.html", form=form, report=report)


def _load(report_id: str) -> Report:
    try:
        return service.get_report(report_id)
    except service.ReportNotFound:
        abort(404)


def _version_arg() -> int | None:
    try:
        return service.parse_version(request.args.get("version"))
    except service.ReportNotFound:
        abort(404)


def _published(report_id: str) -> tuple[dict[str, Any], str]:
    try:
        version = service.get_version(report_id, _version_arg())
    except service.ReportNotFound:
        abort(404)
    return service.snapshot_of(version), version.digest


def _preview(report: Report) -> dict[str, Any]:
    settings = instance_settings()
    return service.preview(
        report,
        threshold=suppression_threshold(),
        headcount=settings.headcount,
        today=today(),
        secrets=current_secrets(),
    )


@bp.get("/<report_id>")
@login_required
def detail(report_id: str) -> str | Response:
    if "." in report_id:
        stem, _dot, fmt = report_id.rpartition(".")
        return export(stem, fmt)
    report = _load(report_id)
    composer = _is_composer()
    if report.latest_version == 0 and not composer:
        abort(404)  # drafts are the organizers' working copy; nobody else may see them
    published = _published(report.id) if report.latest_version else None
    show_preview = composer and (request.args.get("preview") == "1" or published is None)
    digest: str | None = None
    if show_preview:
        snapshot = _preview(report)
    elif published is not None:
        snapshot, digest = published
    else:  # pragma: no cover - an unpublished report was turned away above
        abort(404)
    _start, chart_until = exports.chart_span(snapshot)
    return render_template(
        "reports/detail.html",
        chart_height=chart_height(DESKTOP, len(snapshot["petitions"])),
        chart_until=chart_until.isoformat(),
        report=report,
        snapshot=snapshot,
        digest=digest,
        is_preview=show_preview,
        versions=service.versions_of(report.id),
        can_compose=composer,
        publish_form=PublishForm(expected_version=str(report.latest_version)),
    )


def export(report_id: str, fmt: str) -> Response:
    if fmt not in EXPORTS:
        abort(404)
    snapshot, digest = _published(report_id)
    mimetype, render = EXPORTS[fmt]
    try:
        # Only the PDF is for reading: it follows the page's language. CSV and JSON stay English.
        body = pdf.to_pdf(snapshot, digest, pdf_language()) if fmt == "pdf" else render(snapshot, digest)
    except pdf.PdfFontsMissing as exc:
        page = render_template(
            "errors/error.html", code=503, title=_("This server can't make the PDF yet"), advice=str(exc)
        )
        return Response(page, status=503)
    filename = f"report-{report_id[:8]}-v{snapshot['version']}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Report-Digest": digest},
    )


@bp.get("/<report_id>/chart.svg")
@login_required
def chart(report_id: str) -> Response:
    report = _load(report_id)
    if _is_composer() and (request.args.get("preview") == "1" or report.latest_version == 0):
        snapshot = _preview(report)
    else:
        snapshot, _digest = _published(report.id)
    start, until = exports.chart_span(snapshot)
    svg = timeline_svg(
        _("Signatures in the period"),
        exports.chart_series(snapshot, [p["title"] for p in snapshot["petitions"]]),
        start=start,
        until=until,
        today=today(),
        size=request.args.get("size", "desktop"),
        text=chart_text(),
    )
    return Response(svg, mimetype="image/svg+xml", headers=SVG_HEADERS)


@bp.post("/<report_id>/publish")
@role_required(*COMPOSERS)
def publish(report_id: str) -> WerkzeugResponse:
    form = PublishForm()
    if (
        not form.validate_on_submit()
        or not (form.expected_version.data or "").isascii()
        or not (form.expected_version.data or "").isdigit()
    ):
        abort(400)
    try:
        with unit_of_work(db.session):
            version = service.publish_report(
                report_id,
                int(form.expected_version.data or 0),
                threshold=suppression_threshold(),
                headcount=instance_settings().headcount,
                actor_role=current_user.role,
                today=today(),
                secrets=current_secrets(),
            )
    except service.ReportNotFound:
        abort(404)
    except service.ReportError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Published as version %(version)s.", version=version.version), "success")
    return redirect(url_for("reports.detail", report_id=report_id))
