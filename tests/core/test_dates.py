"""One way to write dates and times (issue 19): a short and a long form per language, the app's time zone,
and "today" rather than "0 days ago"."""

import datetime as dt

import pytest
import pytz
from flask_babel import force_locale

from tracker.core.dates import LONG, SHORT, date_text, datetime_text, days_ago, days_waiting

DAY = dt.date(2026, 7, 1)
FORMS = {
    "fr": {SHORT: "1 juil. 2026", LONG: "1 juillet 2026"},
    "ar": {SHORT: "01\u200f/07\u200f/2026", LONG: "1 يوليوز 2026"},
    "en": {SHORT: "Jul 1, 2026", LONG: "July 1, 2026"},
}


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_one_short_and_one_long_format_per_locale(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert date_text(DAY) == FORMS[locale][SHORT]
        assert date_text(DAY, LONG) == FORMS[locale][LONG]
        # the page filter and the figures module say the same
        assert app.jinja_env.filters["date"](DAY) == FORMS[locale][SHORT]
        assert app.jinja_env.filters["date"](DAY, "long") == FORMS[locale][LONG]
        assert date_text(None) == "—"


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_times_are_24_hours_in_the_app_time_zone(app, locale):
    moment = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)
    local = moment.astimezone(pytz.timezone(app.config["BABEL_DEFAULT_TIMEZONE"]))
    with app.test_request_context(), force_locale(locale):
        text = datetime_text(moment)
        assert local.strftime("%H:%M") in text
        assert FORMS[locale][SHORT] in text
        assert "PM" not in text and "م" not in text.replace(FORMS[locale][SHORT], "")
        assert datetime_text(moment, LONG).startswith(FORMS[locale][LONG])


@pytest.mark.parametrize(("locale", "today", "three"), [
    ("fr", "aujourd'hui", "il y a 3 jours"),
    ("ar", "اليوم", "منذ 3 أيام"),
    ("en", "today", "3 days ago"),
])
def test_relative_days_say_today_never_zero_days(app, locale, today, three):
    with app.test_request_context(), force_locale(locale):
        assert days_ago(0) == today and days_waiting(0) == today
        assert days_ago(3) == three
        assert "0" not in days_ago(0)


def test_portfolio_says_today_for_a_session_logged_today(app, actors, login_as):
    from tests.mentoring.factories import MentoringSessionFactory
    from tracker.extensions import db

    actors.project.staff = [actors.staff]
    MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date.today())
    db.session.commit()
    page = login_as("staff").get("/").get_data(as_text=True)
    assert "aujourd'hui" in page.replace("&#39;", "'")
    assert "il y a 0 jour" not in page
