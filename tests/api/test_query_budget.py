"""Query budgets of the API's lists (issue 22): a page costs the same number of statements whether the table
holds 10 rows or 1,000 (keyset pages, eager loads in fixed statements). Rows are inserted in bulk."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target
from tracker.periods import end_sums, value_sums
from tracker.periods.models import IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import Member, Project

_seq = iter(range(10**6))


def _indicators(n):
    first = next(_seq) * 10_000
    db.session.execute(sa.insert(Indicator), [
        {"code": f"budget_{first + i}", "name_fr": f"Indicateur {i}", "name_ar": f"مؤشر {i}",
         "name_en": f"Indicator {i}", "unit": "count", "kind": "flow"} for i in range(n)])
    return list(db.session.scalars(sa.select(Indicator.id).where(Indicator.code.like("budget_%"))
                                   .order_by(Indicator.id.desc()).limit(n)))


def add_cohorts(actors, n):
    first = next(_seq) * 10_000
    db.session.execute(sa.insert(Cohort), [{"slug": f"budget-{first + i}", "name": f"Cohorte {i}",
                                             "reporting_frequency": "quarterly"} for i in range(n)])


def add_projects(actors, n):
    first = next(_seq) * 10_000
    db.session.execute(sa.insert(Project), [{"cohort_id": actors.cohort.id, "name": f"Projet budget {first + i}",
                                              "sector": "digital", "status": "active"} for i in range(n)])
    ids = db.session.scalars(sa.select(Project.id).where(Project.name.like(f"Projet budget {first}%")))
    db.session.execute(sa.insert(Member), [
        {"project_id": pid, "full_name": "Membre budget", "sex": "F", "birth_date": dt.date(1999, 1, 1),
         "role": "founder", "is_lead": True, "consent_date": dt.date(2025, 1, 1),
         "consent_purpose": "Suivi"} for pid in ids])


def add_indicators(actors, n):
    _indicators(n)


def add_targets(actors, n):
    db.session.execute(sa.insert(Target), [{"project_id": actors.project.id, "indicator_id": iid,
                                            "target_value": Decimal(10)} for iid in _indicators(n)])


def add_reports(actors, n):
    indicator = _indicators(1)[0]
    first = next(_seq) * 10_000
    db.session.execute(sa.insert(PeriodReport), [
        {"project_id": actors.project.id, "period_label": f"B{first + i}", "period_start": dt.date(2025, 1, 1),
         "period_end": dt.date(2025, 3, 31), "status": ReportStatus.APPROVED} for i in range(n)])
    ids = db.session.scalars(sa.select(PeriodReport.id).where(PeriodReport.period_label.like(f"B{first}%"))).all()
    db.session.execute(sa.insert(IndicatorValue), [
        {"report_id": rid, "indicator_id": indicator, "cell": "total", "value": Decimal(3)} for rid in ids])
    value_sums.refresh(db.session.connection(), ids)  # a bulk insert, past the ORM flush that keeps the sums
    end_sums.refresh(db.session.connection(), [actors.project.id])


CASES = [("/api/v1/cohorts", add_cohorts), ("/api/v1/projects", add_projects),
         ("/api/v1/indicators", add_indicators), ("/api/v1/projects/{project}/targets", add_targets),
         ("/api/v1/projects/{project}/reports", add_reports)]


@pytest.mark.parametrize("url, add", CASES, ids=[c[1].__name__ for c in CASES])
@pytest.mark.parametrize("limit", ["", "?limit=200"])
def test_same_statements_for_10_and_1000_rows(actors, token_for, api, count_queries, url, add, limit):
    secret = token_for(actors.manager)
    url = url.format(project=actors.project.id) + limit
    api(secret, url)  # the day's first use is audited: not counted below
    counts = []
    for n in (10, 990):
        add(actors, n)
        db.session.commit()
        with count_queries() as queries:
            response = api(secret, url)
        assert response.status_code == 200
        assert len(response.get_json()["data"]) == (200 if limit else 50) or n == 10
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts
