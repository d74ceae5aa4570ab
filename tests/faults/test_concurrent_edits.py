"""Two people edit the same milestone / period report from two browsers: both load the form, both save.

The first save wins; the second is refused with the translated conflict message, the page is redrawn
with what the second person typed, and the database holds the first person's values only. Each client
reads the version from the form it was served, as a browser would.
"""

import html
import re

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.milestones.factories import MilestoneFactory
from tests.periods.conftest import AFTER_T1, Indicators
from tests.periods.factories import PeriodReportFactory
from tests.periods.test_views import data as report_data
from tracker.extensions import db
from tracker.milestones.models import Milestone
from tracker.periods.models import IndicatorValue, PeriodReport, ReportStatus

CONFLICT = "Cet enregistrement a été modifié par quelqu'un d'autre"


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _version(page: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d*)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page)
    assert match, "the form carries its version"
    return match.group(1)


def _milestone_form(milestone, version, title):
    return {"title": title, "category": milestone.category.value, "planned_date": milestone.planned_date.isoformat(),
            "status": "planned", "achieved_date": "", "evidence_note": "", "version": version}


def test_concurrent_milestone_edits(actors, login_as):
    milestone = MilestoneFactory(project=actors.project, title="Titre d'origine")
    db.session.commit()
    url = f"/milestones/{milestone.id}/edit"
    holder, staff = login_as("holder"), login_as("staff")
    holder_version = _version(_page(holder.get(url)))
    staff_version = _version(_page(staff.get(url)))
    assert holder_version == staff_version

    first = holder.post(url, data=_milestone_form(milestone, holder_version, "Titre du porteur"))
    assert first.status_code == 302
    second = staff.post(url, data=_milestone_form(milestone, staff_version, "Titre du chargé"))
    page = _page(second)
    assert second.status_code == 200
    assert CONFLICT in page
    assert 'value="Titre du chargé"' in page  # the second person's input is kept
    assert "Titre du porteur" in page  # and the saved values are shown beside it

    db.session.expire_all()
    stored = db.session.get(Milestone, milestone.id)
    assert stored.title == "Titre du porteur"
    assert stored.version == int(holder_version) + 1


@pytest.fixture
def _after_t1():
    with freeze_time(AFTER_T1):
        yield


@pytest.mark.parametrize("existing", [False, True], ids=["new-report", "saved-draft"])
def test_concurrent_period_report_edits(actors, login_as, _after_t1, existing):
    indicators = Indicators(actors.project)
    if existing:
        PeriodReportFactory(project=actors.project, status=ReportStatus.DRAFT)
    db.session.commit()
    url = f"/period-reports/projects/{actors.project.id}/2025-T1"
    holder, staff = login_as("holder"), login_as("staff")
    holder_version = _version(_page(holder.get(url)))
    staff_version = _version(_page(staff.get(url)))
    assert holder_version == staff_version

    first = holder.post(url, data=report_data(indicators, version=holder_version, revenue="1500",
                                              highlights="Saisi par le porteur"))
    assert first.status_code == 302
    second = staff.post(url, data=report_data(indicators, version=staff_version, revenue="2700",
                                              highlights="Saisi par le chargé"))
    page = _page(second)
    assert second.status_code == 200
    assert CONFLICT in page
    assert 'value="2700"' in page and "Saisi par le chargé" in page

    db.session.expire_all()
    report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.project_id == actors.project.id))
    assert report.highlights == "Saisi par le porteur"
    values = db.session.scalars(sa.select(IndicatorValue.value).where(
        IndicatorValue.report_id == report.id, IndicatorValue.indicator_id == indicators.revenue.id)).all()
    assert [int(v) for v in values] == [1500]
