"""The quicker translation and formatting lookups of list pages (issue 20) give the same text as Flask-Babel's
own, follow `force_locale` within one request, and keep templates' escaping rules."""

from decimal import Decimal

from flask import render_template_string
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext

from tracker.core import i18n
from tracker.core.dates import days_ago
from tracker.core.formatting import decimal_text
from tracker.core.i18n import label
from tracker.projects.models import ProjectStatus


def test_python_lookups_equal_flask_babel_in_each_language(app):
    with app.test_request_context():
        for locale in ("fr", "ar", "en"):
            with force_locale(locale):
                assert i18n.gettext("Statut") == babel_gettext("Statut")
                assert i18n.gettext("échéance %(date)s", date="x") == babel_gettext("échéance %(date)s", date="x")
                for n in (0, 1, 2, 11):
                    assert (i18n.ngettext("%(num)s projet", "%(num)s projets", n)
                            == babel_ngettext("%(num)s projet", "%(num)s projets", n))
        with force_locale("ar"):
            arabic = label(ProjectStatus.ACTIVE)
        with force_locale("en"):
            english = label(ProjectStatus.ACTIVE)
        with force_locale("ar"):  # the label kept for Arabic is not the English one, nor the reverse
            assert label(ProjectStatus.ACTIVE) == arabic
            assert days_ago(3) == babel_ngettext("il y a %(num)s jour", "il y a %(num)s jours", 3)
        assert arabic != english
        assert english == "Active"


def test_templates_follow_the_locale_forced_inside_one_request(app):
    page = "{{ _('Statut') }}|{{ ngettext('%(num)s projet', '%(num)s projets', 2) }}|{{ 1234|number }}"
    with app.test_request_context():
        with force_locale("fr"):
            french = render_template_string(page)
        with force_locale("en"):
            english = render_template_string(page)
        with force_locale("fr"):
            again = render_template_string(page)
    assert french == again
    assert french.startswith("Statut|2 projets|1")
    assert english == "Status|2 projects|1,234"


def test_template_translations_escape_their_variables_only(app):
    with app.test_request_context(), force_locale("fr"):
        html = render_template_string("{{ _('échéance %(date)s', date='<b>') }}")
        text = app.jinja_env.overlay(autoescape=False).from_string(
            "{{ _('échéance %(date)s', date='<b>') }}").render()
    assert html == "échéance &lt;b&gt;"
    assert text == "échéance <b>"


def test_kept_numbers_depend_on_the_type_and_the_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert decimal_text(1234.5) == "1,234.5"
            assert decimal_text(Decimal("1234.50"), "#,##0.00") == "1,234.50"
            assert decimal_text(1, "#,##0.0") == "1.0"
        with force_locale("fr"):
            assert decimal_text(1234.5).replace("\u202f", " ") == "1 234,5"


def test_period_names_are_kept_per_language_and_the_kept_texts_stay_bounded(app, monkeypatch):
    from tracker.core import i18n
    from tracker.core.period_names import period_name

    with app.test_request_context():
        with force_locale("fr"):
            french = (period_name("2026-T3"), period_name("2026-03"))
        with force_locale("ar"):
            arabic = (period_name("2026-T3"), period_name("2026-03"))
        with force_locale("fr"):
            assert (period_name("2026-T3"), period_name("2026-03")) == french
        assert french == ("T3 2026", "mars 2026") and arabic != french
        monkeypatch.setattr(i18n, "KEPT_TEXTS", 5)
        for year in range(2000, 2020):
            period_name(f"{year}-S1")
        assert len(i18n._kept_texts[i18n._translations()]) <= 5
