"""Languages: English and (Canadian) French with Flask-Babel.

The language of a page is chosen, in this order, by:

1. the signed-in attendee's saved choice (``Attendee.preferred_language``; set when they
   register, from the language the form was shown in, and by the language switcher);
2. the ``lang`` cookie that the language switcher sets (for anyone, staff included);
3. the browser's ``Accept-Language`` header;
4. English.

Emails go out in the attendee's language whatever the language of the request that caused
them (:func:`attendee_locale` with ``flask_babel.force_locale``).

Text typed by organizers (worksheet questions, announcements) is shown as typed. The default
texts Summit seeds itself (the default worksheet, readiness scale...) are stored in English and
translated when shown with :func:`translate`, a catalog lookup keyed on the English text: an
edited text is not in the catalog and comes back unchanged.
"""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlsplit

from babel import dates as babel_dates
from flask import (
    Blueprint,
    Flask,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import Babel, get_locale, gettext, refresh
from flask_wtf import FlaskForm
from wtforms import HiddenField

from summit.access import current_attendee, public, signed_in_attendees

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def N_(text: str) -> str:  # noqa: N802  (the usual name of a gettext no-op marker)
    """Mark a text for the catalog without translating it now (translate it when shown)."""
    return text


def normalize(value: str | None) -> str | None:
    """``"fr-CA"`` → ``"fr"``; ``None`` for anything not supported."""
    if not value:
        return None
    value = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return value if value in LANGUAGES else None


def _signed_in_attendee():
    # ``locale_attendee``: a page reached through a signed link in an email (preferences).
    attendee = g.get("locale_attendee") or g.get("attendee")
    if attendee is None and g.get("event") is not None:
        attendee = current_attendee(g.event)
    return attendee


def language_for(preferred: str | None, cookie: str | None, accept_languages) -> str:
    """The language of an answer: the signed-in attendee's choice, else the language cookie,
    else the browser's best match (``accept_languages``: werkzeug's ``LanguageAccept``)."""
    return (normalize(preferred) or normalize(cookie)
            or accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE)


def select_locale() -> str | None:
    if not has_request_context():
        return None  # jobs and the command line: the default, unless forced per attendee
    attendee = _signed_in_attendee()
    return language_for(getattr(attendee, "preferred_language", None),
                        request.cookies.get(COOKIE), request.accept_languages)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def attendee_locale(attendee) -> str:
    """The language of emails to ``attendee``: their choice, else the one they registered in."""
    return normalize(getattr(attendee, "preferred_language", None)) or DEFAULT_LANGUAGE


def translate(text: str | None) -> str:
    """The catalog's translation of a default English text, or the text unchanged.

    Unlike the templates' ``_()``, no ``%`` formatting and no ``Markup``: safe for any text
    typed by a person (it is escaped like any other value).
    """
    if not text:
        return text or ""
    return gettext(text) if current_language() != DEFAULT_LANGUAGE else text


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to after switching language, or ``None``."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


# --- dates --------------------------------------------------------------------------------------


def format_day(value: date | None) -> str:
    """"Thursday, January 21, 2027" / "jeudi 21 janvier 2027"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return babel_dates.format_date(value, "full", locale=get_locale() or DEFAULT_LANGUAGE)


def format_local(moment: datetime, fmt: str) -> str:
    """An event-local time: strftime in English (as the templates ask), CLDR patterns else."""
    lang = current_language()
    if lang == DEFAULT_LANGUAGE:
        return moment.strftime(fmt)
    locale = get_locale()
    if "%A" in fmt:  # a long "weekday, day month at time"
        day = babel_dates.format_date(moment.date(), "EEEE d MMMM", locale=locale)
        time = babel_dates.format_time(moment, "H 'h' mm", locale=locale)
        return gettext("%(day)s at %(time)s", day=day, time=time)
    if "%Y" in fmt or "%y" in fmt:
        return babel_dates.format_datetime(moment, "d MMM y H 'h' mm", locale=locale)
    if "%b" in fmt or "%B" in fmt or "%d" in fmt:
        return babel_dates.format_datetime(moment, "d MMM, H 'h' mm", locale=locale)
    return babel_dates.format_time(moment, "H 'h' mm", locale=locale)


def format_plain(value: date | time | None, fmt: str) -> str:
    """A date or a clock time that is not a UTC moment (a slot's day, a slot's start):
    ``strftime(fmt)`` in English, a CLDR pattern in French ("jeudi 21 janvier", "9 h 00")."""
    if value is None:
        return ""
    if current_language() == DEFAULT_LANGUAGE:
        return value.strftime(fmt)
    locale = get_locale()
    if isinstance(value, time):
        return babel_dates.format_time(value, "H 'h' mm", locale=locale)
    if isinstance(value, datetime):
        value = value.date()
    pattern = "EEEE d MMMM" if "%A" in fmt else "EEE d MMM" if "%a" in fmt else "d MMMM"
    if ("%B" not in fmt and "%b" not in fmt and "%d" not in fmt and "%-d" not in fmt):
        pattern = "EEEE" if "%A" in fmt else "EEE"
    return babel_dates.format_date(value, pattern, locale=locale)


# --- the language switcher ----------------------------------------------------------------------

bp = Blueprint("i18n", __name__)

# Staff pages stay in English: the switcher is shown on the public and attendee pages.
STAFF_PREFIXES = ("/admin", "/login", "/logout", "/account", "/api")


def show_switcher() -> bool:
    return has_request_context() and not request.path.startswith(STAFF_PREFIXES)


class LanguageForm(FlaskForm):
    """The language switcher: any value that is not a language we speak means the default,
    and ``next`` is followed only to a path on this site."""

    lang = HiddenField()
    next = HiddenField()


@bp.route("/lang", methods=["POST"])
@public
def switch_language():
    """Remember the language in a cookie and, for a signed-in attendee, on their registration
    (so their emails follow), then go back to the page."""
    from summit.extensions import db

    form = LanguageForm()
    lang = normalize(form.lang.data) or DEFAULT_LANGUAGE
    for attendee in signed_in_attendees():
        attendee.preferred_language = lang
    db.session.commit()
    refresh()
    target = safe_next(form.next.data) or url_for("events.index")
    response = redirect(target, code=303)
    response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=bool(request.is_secure))
    return response


# --- the app ------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    from pathlib import Path

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(Path(__file__).resolve().parent / "translations"))
    babel.init_app(app, locale_selector=select_locale)

    app.register_blueprint(bp)

    @app.context_processor
    def inject_language():
        return {"lang": current_language(), "languages": LANGUAGES,
                "show_language_switcher": show_switcher}

    app.jinja_env.globals["tr"] = translate
