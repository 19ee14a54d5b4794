"""Languages: which one a request is answered in, and the switcher that changes it.

The choice lives in the member's own cookie, never in the database: a language column would
be one more thing that narrows down who an account is (A3). The cookie holds nothing but
the language code, and without it the browser's Accept-Language decides.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from babel.support import NullTranslations, Translations
from flask import Blueprint, Flask, current_app, g, has_app_context, has_request_context, redirect, request
from flask_babel import Babel, format_date, format_decimal, format_percent, get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.wrappers import Response

from voicebox import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
LANGUAGE_COOKIE = "voicebox_lang"
DEFAULT_LANGUAGE = "en"
# Each language's name in itself, as the switcher shows it.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}
ONE_YEAR = 365 * 24 * 3600
TRANSLATIONS_KEY = "voicebox_translations"

bp = Blueprint("i18n", __name__)


def chosen_language() -> str:
    """The language for this request: the switcher's cookie, else the browser's preference.

    Outside a request (the CLI, the counting thread) text is English.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return language_for(request.cookies.get(LANGUAGE_COOKIE, ""), request.accept_languages)


def language_for(cookie: str, accept: LanguageAccept) -> str:
    """The switcher's cookie if it names a language we have, else the best of `accept`."""
    if cookie in LANGUAGES:
        return cookie
    return accept.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def local_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date as people write it in the page's language ("2 Dec 2026", "02.12.2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=style)


def local_number(value: float | int | None) -> str:
    """A count with the page language's digit grouping ("1,600", "1.600")."""
    if value is None:
        return ""
    return format_decimal(value)


def local_percent(value: float | None, digits: int = 0) -> str:
    """A share (0.2 for 20%) in the page language's style ("20%", "20 %")."""
    if value is None:
        return ""
    pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
    return format_percent(value, format=pattern)


def _same_site_path(target: str | None) -> str:
    # Only a path on this site: an absolute or protocol-relative URL would make the
    # switcher an open redirect.
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.post("/language")
def choose_language() -> Response:
    """Remember the chosen language in the member's cookie and go back to the page."""
    language = request.form.get("language", "")
    response = redirect(_same_site_path(request.form.get("next")))
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=ONE_YEAR,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


def _page_translations() -> Translations | NullTranslations:
    """The catalogue of this request's language, looked up once per app context.

    Remembered with the locale Flask-Babel chose, so a locale changed later (its
    `refresh` or `force_locale`) is seen.
    """
    if not has_app_context():
        return get_translations()
    found = g.get(TRANSLATIONS_KEY)
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    if found is None or locale is None or found[0] is not locale:
        translations = get_translations()  # chooses the locale if nothing has yet
        found = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
        setattr(g, TRANSLATIONS_KEY, found)
    return found[1]


def init_i18n(app: Flask) -> None:
    """Wire Flask-Babel, the language switcher and the locale-aware template filters."""
    from voicebox.extensions import csrf

    Babel(app, locale_selector=chosen_language, default_translation_directories=str(TRANSLATIONS))
    # Exempt on purpose: a token would need a session cookie on every anonymous page, and
    # the worst a forged request can do is change the page language.
    csrf.exempt(choose_language)
    # {% trans %} blocks collapse their whitespace, as babel.cfg extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel's template gettext finds the request's catalogue anew for every string
    # (a dozen context lookups each, about a tenth of a petition page); find it once.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
    )
    app.register_blueprint(bp)
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["number"] = local_number
    app.jinja_env.filters["percent"] = local_percent
    app.context_processor(
        lambda: {"languages": LANGUAGES, "current_language": str(get_locale() or DEFAULT_LANGUAGE)}
    )
