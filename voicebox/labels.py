"""How stored values (statuses, roles, kinds, ISO dates) and service text read on a page, in its language.

The database, the exports and the API keep the English values ("in progress", "leadership");
only what a person reads is translated, through these template filters (registered by create_app).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import get_month_names
from flask import has_request_context, request
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from voicebox.charts import ChartText
from voicebox.i18n import local_date, local_number
from voicebox.messages import N_ as N_

# The JSON API is documented in English and answers in English whatever the browser asks.
ENGLISH_ONLY_BLUEPRINTS = frozenset({"api"})


def _translating() -> bool:
    return has_request_context() and request.blueprint not in ENGLISH_ONLY_BLUEPRINTS


def request_gettext(message: str, **variables: object) -> str:
    """`gettext` for services that also run from the console, the tick or the JSON API:
    translated while answering a page request, the English text (filled in the same way)
    anywhere else."""
    if _translating():
        return str(gettext(message, **variables))
    return message % variables if variables else message


STATUS_LABELS = {
    # Concerns and leadership's responses
    "open": _l("open"),
    "acknowledged": _l("acknowledged"),
    "in progress": _l("in progress"),
    "resolved": _l("resolved"),
    "declined": _l("declined"),
    # Petitions
    "draft": _l("draft"),
    "closed": _l("closed"),
    "rejected": _l("rejected"),
}

ROLE_LABELS = {
    "member": _l("member"),
    "organizer": _l("organizer"),
    "leadership": _l("leadership"),
    "admin": _l("admin"),
    "voicebox": _l("voicebox"),
}

ITEM_KINDS = {"petition": _l("petition"), "concern": _l("concern")}


def _first_upper(text: str) -> str:
    # Not str.capitalize(): that would lower the rest ("In bearbeitung").
    return text[:1].upper() + text[1:]


def _label(labels: dict[str, Any], value: str | None, capital: bool) -> str:
    # Unknown values are shown as stored rather than hidden.
    if value is None:
        return ""
    label = labels.get(value)
    text = str(label) if label is not None else value
    return _first_upper(text) if capital else text


def status_label(value: str | None, capital: bool = False) -> str:
    """A status as the reader's language names it."""
    return _label(STATUS_LABELS, value, capital)


def role_label(value: str | None) -> str:
    """A role as the reader's language names it."""
    return _label(ROLE_LABELS, value, capital=False)


def kind_label(value: str | None, capital: bool = False) -> str:
    """The item kind ("petition", "concern") in the reader's language."""
    return _label(ITEM_KINDS, value, capital)


def iso_date(value: str | date | None) -> str:
    """A date kept as ISO text (report snapshots, table columns) as the page's language writes it."""
    if not value:
        return ""
    if isinstance(value, date):
        return local_date(value)
    try:
        return local_date(date.fromisoformat(value))
    except ValueError:
        return value


def request_ngettext(singular: str, plural: str, num: int, **variables: object) -> str:
    """`ngettext` that, like `request_gettext`, stays English outside a page request."""
    if _translating():
        return str(ngettext(singular, plural, num, **variables))
    return (singular if num == 1 else plural) % {"num": num, **variables}


def chart_text() -> ChartText:
    """A chart's words and number style in the page's language (charts.py itself has no Flask)."""
    _ = request_gettext
    locale = get_locale()
    if locale is None or locale.language == "en":
        return ChartText(number=local_number)
    names = get_month_names("abbreviated", context="stand-alone", locale=locale)
    return ChartText(
        today=_("today"),
        empty=_("No signatures yet"),
        months=tuple(names[month] for month in range(1, 13)),
        number=local_number,
    )


class LocalCount:
    """A count that writes itself in the page's digit style when a message is filled in
    ("10,000" / "10.000"), for messages built before the page's language is known."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __str__(self) -> str:
        return local_number(self.value) if _translating() else f"{self.value:,}"
