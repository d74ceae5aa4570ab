"""The XLSX cover's generation time is in the app's time zone, as every other time the app shows (issue 19)."""

import datetime as dt

import pytest
import pytz

from tests.report_files.reading import sheets, workbook
from tests.reports.test_exporters import NAMES, _report
from tracker.reports.exporters import to_xlsx


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Montreal", "Africa/Casablanca"])
def test_xlsx_cover_time_is_in_the_app_time_zone(app, monkeypatch, zone):
    monkeypatch.setattr(app.extensions["babel"], "default_timezone", zone)
    generated = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    with app.test_request_context():
        data = to_xlsx(_report(), generated_at=generated, locale="fr", names=NAMES)
    written = sheets(workbook(data))["filters"].rows["generated_at"][1]
    expected = generated.astimezone(pytz.timezone(zone)).replace(tzinfo=None)
    assert written == expected
    if zone != "Africa/Casablanca":
        assert written != generated.replace(tzinfo=None)  # never the UTC clock
