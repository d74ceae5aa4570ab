"""Locale choice and the translated labels of every enumeration shown to users."""

import os
import weakref

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}


def select_locale() -> str:
    """User profile, then the visitor's session, then the browser, limited to our languages."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and services run in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return browser_first_choice(request.accept_languages, languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def browser_first_choice(accept_languages, languages) -> str | None:
    """The browser's first language when we offer it ("ar-MA,fr;q=0.8" → ar), else None: a visitor whose
    browser asks first for a language we lack (German, then English) gets French, not the second choice."""
    for value, _quality in accept_languages:
        primary = value.split("-")[0].split("_")[0].lower()
        if value == "*":
            return None
        return primary if primary in languages else None
    return None


def isolate(text) -> str:
    """Wrap a left-to-right token (period label, code, number) in Unicode isolates (FSI … PDI) so an Arabic
    sentence around it does not reorder it ("2025-T1" must not read "T1-2025"); works in titles and flashes."""
    return f"\u2068{text}\u2069"


def text_direction() -> str:
    return get_locale().text_direction if get_locale() else "ltr"


_REGISTERED: dict = {}


def register_labels(labels: dict) -> None:
    """{EnumClass: {member: lazy label}} from a feature (its `labels.LABELS`), at app creation: core shows
    every enumeration without importing the features that define them."""
    _REGISTERED.update(labels)


def _role_labels(Role) -> dict:  # noqa: N803 - the enumeration itself
    return {
        Role.ADMIN: _l("Administrateur"),
        Role.MANAGER: _l("Responsable de programme"),
        Role.STAFF: _l("Chargé d'accompagnement"),
        Role.HOLDER: _l("Porteur de projet"),
    }


def _labels_of(enum_cls) -> dict:
    if enum_cls not in _REGISTERED:
        from tracker.core.permissions import Role  # core's own enumeration (permissions imports this module)

        if enum_cls is Role:
            _REGISTERED[Role] = _role_labels(Role)
    return _REGISTERED[enum_cls]


_kept_texts: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # catalogue → {key: text}
KEPT_TEXTS = 4096


def kept_text(key, make) -> str:
    """`make()`, worked out once per catalogue (the current language) and `key`: for the few texts a list
    page writes many times (a status or a period per row), each otherwise a full Flask-Babel lookup."""
    texts = _kept_texts.setdefault(_translations(), {})
    text = texts.get(key)
    if text is None:
        if len(texts) >= KEPT_TEXTS:  # keys can come from requests (a period in a URL): stay bounded
            texts.clear()
        text = texts[key] = make()
    return text


def label(member) -> str:
    """Translated label of an enum member; '—' for None (e.g. sex not stated is handled by callers).

    Kept per catalogue (`kept_text`). The enumeration is part of the key: str enumerations of different
    classes can be equal ("active")."""
    if member is None:
        return "—"
    return kept_text(("label", type(member), member), lambda: str(_labels_of(type(member))[member]))


def choices(enum_cls, blank: str | None = None) -> list[tuple[str, str]]:
    """WTForms choices for an enum, labels evaluated lazily in the current locale."""
    labels = _labels_of(enum_cls)
    items = [(m.value, labels[m]) for m in enum_cls]
    return ([("", blank)] if blank is not None else []) + items


class CatalogueError(RuntimeError):
    """A language the app offers (or a command asks for) has no compiled catalogue."""


def catalogue_path(app, locale: str) -> str:
    """Where the compiled catalogue of `locale` should be (the first translation directory that has it)."""
    directories = app.extensions["babel"].translation_directories
    for directory in directories:
        path = os.path.join(directory, locale, "LC_MESSAGES", "messages.mo")
        if os.path.exists(path):
            return path
    return os.path.join(directories[0], locale, "LC_MESSAGES", "messages.mo")


def missing_catalogues(app, locales=None) -> list[str]:
    """The locales among `locales` (default: every language offered) whose messages.mo is missing.

    Without it Flask-Babel silently shows the French msgids: an Arabic PDF would come out in French."""
    return [locale for locale in (locales or app.config["LANGUAGES"])
            if not os.path.exists(catalogue_path(app, locale))]


def catalogue_message(app, locales) -> str:
    paths = ", ".join(catalogue_path(app, locale) for locale in locales)
    return (f"translation catalogue not compiled for {', '.join(locales)} (missing {paths}): "
            "run `make babel-compile` (or `pybabel compile -d tracker/translations`) and start again.")


def require_catalogues(app) -> None:
    """Stops the app when a language it offers has no compiled catalogue (issue 18), rather than falling
    back to French without a word."""
    missing = missing_catalogues(app)
    if missing:
        raise CatalogueError(catalogue_message(app, missing))


def _request_globals():
    try:
        return g._get_current_object()
    except RuntimeError:  # no app context
        return None


def locale_now():
    """Flask-Babel's `get_locale()`, read straight from where Flask-Babel 4 keeps it for the request
    (`g._flask_babel.babel_locale`, which `force_locale` and `refresh` change) once it has been chosen: its
    own lookup goes through a context-local proxy three times, and a list page asks a few hundred times."""
    return _locale_in(_request_globals())


def locale_name(locale=None) -> str:
    """`locale` as a string, else the current language ("fr" outside an app): what Babel's functions take."""
    if locale:
        return str(locale)
    return str((locale_now() if has_app_context() else None) or "fr")


def _locale_in(here):
    return getattr(getattr(here, "_flask_babel", None), "babel_locale", None) or get_locale()


def _translations():
    """The translations of the current locale, looked up once per locale rather than at every `_()` of a
    template (Flask-Babel resolves the locale, the domain and the catalogue key at each call: most of the
    cost of a page's few hundred strings). Keyed by the Locale object itself: `force_locale` (e-mails in
    the recipient's language) and a language change swap that object, so they are never served the
    previous catalogue."""
    here = _request_globals()
    if here is None:  # Flask-Babel's own answer outside an app (no translation)
        return get_translations()
    locale = _locale_in(here)
    cached = getattr(here, "_translations_of_locale", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    here._translations_of_locale = (locale, translations)
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` (formatted only when given variables) through `_translations()`."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's `ngettext` (`num` is always a variable) through `_translations()`."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """`_()` and `gettext()` in templates, as Jinja's newstyle gettext does it (escaped unless marked safe,
    always %-formatted) but in one call: Jinja's own goes through three nested `Context.call`s per string,
    and a list page has a few hundred strings (20 µs each, against about 6 µs here)."""
    text = _translations().ugettext(string)
    # Our own catalogue's text, trusted as Jinja's gettext trusts it; `%` escapes the variables.
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # nosec B704


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # nosec B704


def install_template_gettext(app) -> None:
    """Templates' `_`, `gettext`, `ngettext`, `pgettext` and `npgettext` through `_translations()` (after
    `babel.init_app`, which installs its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
