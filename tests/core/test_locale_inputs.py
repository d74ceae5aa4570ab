"""Numbers and dates typed the way people type them in French and Arabic (issue 10, point 5).

The parsers of tracker/core/fields.py are checked on their own, then through the fields, then through real
views: what is saved is compared with the value written by hand in each test.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional

from tests.factories import UserFactory
from tests.indicators.factories import IndicatorFactory
from tests.indicators.test_views import posted_rows, targets_of, targets_url
from tracker.core.fields import (
    LocaleDateField,
    LocaleDecimalField,
    LocaleIntegerField,
    normalise_typed,
    parse_date,
    parse_number,
)
from tracker.extensions import db
from tracker.indicators.models import Unit
from tracker.mentoring.models import MentoringSession
from tracker.projects.models import Member
from tracker.trainings.models import Training

NNBSP, NBSP, RLM = "\u202f", "\u00a0", "\u200f"

# ---------------------------------------------------------------- parsers


@pytest.mark.parametrize(("typed", "expected"), [
    ("12,5", D("12.5")),                 # French decimal comma
    ("12.5", D("12.5")),
    ("١٢٫٥", D("12.5")),                 # Arabic-Indic digits and Arabic decimal separator
    ("۱۲٫۵", D("12.5")),                 # Persian digits
    ("1 234,5", D("1234.5")),            # French grouping with a plain space
    (f"1{NNBSP}234,5", D("1234.5")),     # … with the narrow no-break space Babel writes for fr
    (f"1{NBSP}234,5", D("1234.5")),      # … with a no-break space
    ("١٬٢٣٤٫٥", D("1234.5")),            # Arabic thousands separator
    ("1.234,5", D("1234.5")),
    ("1,234.5", D("1234.5")),
    ("1.234.567", D("1234567")),
    ("-3,25", D("-3.25")),
    ("\u22123,25", D("-3.25")),          # the typographic minus sign
    (f"{RLM}١٢٫٥{RLM}", D("12.5")),      # bidi marks pasted from an Arabic page
    ("  7  ", D("7")),
    (",5", D("0.5")),
])
def test_parse_number_reads_what_people_type(typed, expected):
    assert parse_number(typed) == expected


@pytest.mark.parametrize("typed", ["1,2,3", "12a", "1 23", "1 2345", "12,", "abc", "1.234,5.6", "--1", "1e3"])
def test_parse_number_refuses_what_it_would_have_to_guess(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


@pytest.mark.parametrize("typed", [None, "", "   ", RLM])
def test_parse_number_blank_is_none(typed):
    assert parse_number(typed) is None


def test_normalise_typed_gives_ascii_digits_and_plain_spaces():
    assert normalise_typed("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹") == "0123456789 0123456789"
    assert normalise_typed(f"1{NNBSP}2{NBSP}3٫4") == "1 2 3,4"


@pytest.mark.parametrize(("typed", "locale", "expected"), [
    ("2026-03-15", "fr", dt.date(2026, 3, 15)),      # what <input type=date> sends, in every language
    ("٢٠٢٦-٠٣-١٥", "ar", dt.date(2026, 3, 15)),
    ("15/03/2026", "fr", dt.date(2026, 3, 15)),
    ("15/03/2026", "ar", dt.date(2026, 3, 15)),
    ("١٥/٠٣/٢٠٢٦", "ar", dt.date(2026, 3, 15)),
    ("۱۵/۰۳/۲۰۲۶", "ar", dt.date(2026, 3, 15)),
    (f"15{RLM}/3{RLM}/2026", "ar", dt.date(2026, 3, 15)),  # Babel's Arabic short date carries RLMs
    ("5/3/2026", "fr", dt.date(2026, 3, 5)),
    ("15.03.2026", "fr", dt.date(2026, 3, 15)),
    ("15-03-2026", "fr", dt.date(2026, 3, 15)),
    ("3/15/2026", "en", dt.date(2026, 3, 15)),        # English follows its own month/day order
])
def test_parse_date_reads_iso_and_the_locale_order(typed, locale, expected):
    assert parse_date(typed, locale) == expected


@pytest.mark.parametrize("typed", ["15/03/26", "31/02/2026", "2026-13-01", "15/03", "mars 2026", "1/2/3/2026",
                                   "15/3/2026 10:00", "123/03/2026"])
def test_parse_date_refuses_what_it_would_have_to_guess(typed):
    with pytest.raises(ValueError):
        parse_date(typed, "fr")


def test_month_first_in_english_only():
    assert parse_date("03/04/2026", "fr") == dt.date(2026, 4, 3)
    assert parse_date("03/04/2026", "ar") == dt.date(2026, 4, 3)
    assert parse_date("03/04/2026", "en") == dt.date(2026, 3, 4)


# ---------------------------------------------------------------- fields


class _Form(FlaskForm):
    class Meta:
        csrf = False

    amount = LocaleDecimalField("amount", places=2, validators=[Optional()])
    count = LocaleIntegerField("count", validators=[Optional()])
    day = LocaleDateField("day", validators=[Optional()])


def _form(app, locale="fr", **typed):
    user = UserFactory(locale=locale)
    with app.test_request_context("/", method="POST", data=typed):
        from flask_login import login_user

        login_user(user)
        form = _Form(formdata=MultiDict(typed))
        form.validate()
        return form, {name: form[name]() for name in ("amount", "count", "day")}


def test_fields_read_french_and_arabic_input(app):
    form, _html = _form(app, "fr", amount="1 234,5", count="1 200", day="15/03/2026")
    assert not form.errors
    assert (form.amount.data, form.count.data, form.day.data) == (D("1234.5"), 1200, dt.date(2026, 3, 15))
    form, _html = _form(app, "ar", amount="١٢٫٥", count="٩٠", day="١٥/٠٣/٢٠٢٦")
    assert not form.errors
    assert (form.amount.data, form.count.data, form.day.data) == (D("12.5"), 90, dt.date(2026, 3, 15))


def test_fields_render_text_inputs_with_a_numeric_keyboard(app):
    _form_, html = _form(app, "fr")
    assert 'type="text"' in html["amount"] and 'inputmode="decimal"' in html["amount"]
    assert 'type="text"' in html["count"] and 'inputmode="numeric"' in html["count"]
    assert 'type="date"' in html["day"]


def test_fields_refuse_bad_input_with_french_messages(app):
    form, html = _form(app, "fr", amount="12,345", count="1,5", day="15/03/26")
    assert form.amount.errors == ["Au plus 2 chiffres après la virgule."]
    assert form.count.errors == ["Saisissez un nombre entier (exemple : 90)."]
    assert form.day.errors == ["Date invalide : écrivez-la comme 15/03/2026."]
    assert 'value="12,345"' in html["amount"]  # shown again as typed
    form, _html = _form(app, "fr", amount="douze")
    assert form.amount.errors == ["Saisissez un nombre (exemple : 1 234,5)."]


def test_decimal_field_shows_a_stored_value_with_the_locale_decimal_sign(app):
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(UserFactory(locale="fr"))
        form = _Form(formdata=None, amount=D("12.50"), day=dt.date(2026, 3, 15))
        assert 'value="12,5"' in form.amount() and 'value="2026-03-15"' in form.day()


# ---------------------------------------------------------------- through the real views


def test_indicator_targets_typed_in_french_and_arabic_are_saved_exactly(actors, login_as):
    revenue, jobs = IndicatorFactory(unit=Unit.MAD), IndicatorFactory()
    data = posted_rows(actors.project, **{
        f"i{revenue.id}": {"baseline_value": f"1{NNBSP}234,5", "target_value": "1 234,5"},
        f"i{jobs.id}": {"baseline_value": "١٢٫٥", "target_value": "۲۰", "target_date": "٢٠٢٦-١٢-٣١"},
    })
    response = login_as("staff").post(targets_url(actors.project), data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = targets_of(actors.project)
    assert saved[revenue.id].baseline_value == D("1234.5") and saved[revenue.id].target_value == D("1234.5")
    assert saved[jobs.id].baseline_value == D("12.5") and saved[jobs.id].target_value == D("20")
    assert saved[jobs.id].target_date == dt.date(2026, 12, 31)


def test_training_with_arabic_digits_and_a_french_date(actors, login_as):
    client = login_as(UserFactory(role="staff", locale="ar"))
    response = client.post("/trainings/new", data={
        "title": "تسويق رقمي تجريبي", "cohort_id": "", "topic": "marketing", "date": "١٥/٠٣/٢٠٢٦",
        "duration_hours": "١٫٥", "trainer": "", "place": "", "mode": "online"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    training = db.session.scalar(sa.select(Training).where(Training.title == "تسويق رقمي تجريبي"))
    assert training.date == dt.date(2026, 3, 15)
    assert training.duration_hours == D("1.5")


def test_session_duration_and_dates_typed_in_arabic(actors, login_as):
    client = login_as(UserFactory(role="staff", locale="ar"))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    typed_date = yesterday.strftime("%d/%m/%Y").translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post("/sessions/new", data={
        "project_id": str(actors.project.id), "date": typed_date, "duration_minutes": "٩٠", "mode": "phone",
        "topics": "", "shared_summary": "", "staff_notes": "", "next_session_date": "", "submit": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [session] = db.session.scalars(sa.select(MentoringSession)
                                   .where(MentoringSession.project_id == actors.project.id)).all()
    assert session.date == yesterday and session.duration_minutes == 90


def test_member_share_and_dates_typed_in_french(actors, login_as):
    client = login_as("staff")
    response = client.post(f"/projects/{actors.project.id}/members/new", data={
        "full_name": "Associée Virgule", "role": "co_founder", "birth_date": "15/03/1995",
        "consent_date": "10/01/2025", "ownership_pct": "12,5"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    member = db.session.scalar(sa.select(Member).where(Member.full_name == "Associée Virgule"))
    assert member.ownership_pct == D("12.5")
    assert (member.birth_date, member.consent_date) == (dt.date(1995, 3, 15), dt.date(2025, 1, 10))


def test_unreadable_number_is_refused_next_to_the_field_and_nothing_saved(actors, login_as):
    client = login_as("staff")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Training))
    response = client.post("/trainings/new", data={
        "title": "Formation virgule", "cohort_id": "", "topic": "marketing", "date": "2026-03-15",
        "duration_hours": "1,2,3", "trainer": "", "place": "", "mode": "online"})
    assert response.status_code == 200
    assert "La durée doit être un nombre d" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Training)) == before
