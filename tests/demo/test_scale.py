"""The DESIGN §10 scale data set at a tiny fraction: counts in proportion, rows that follow the app's rules,
and the cohort report of the big cohort checked against independent SQL sums."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.core.services import ServiceError
from tracker.demo import scale
from tracker.extensions import db
from tracker.reports.services import cohort_report

TODAY = dt.date(2026, 11, 20)
FRACTION = 0.001


def _count(sql: str) -> int:
    return db.session.scalar(sa.text(sql))


@pytest.fixture
def loaded():
    return scale.load_scale("scale-password-1", FRACTION, seed=3, today=TODAY)


def test_plan_keeps_the_full_set_proportions():
    full = scale.ScalePlan.for_fraction(1)
    assert (full.cohorts, full.projects, full.big_cohort) == (200, 20_000, 500)
    assert sum(full.sizes()) == 20_000 and full.sizes()[0] == 500 and len(full.sizes()) == 200
    assert max(full.sizes()[1:]) - min(full.sizes()[1:]) <= 1
    tiny = scale.ScalePlan.for_fraction(FRACTION)
    assert (tiny.cohorts, tiny.projects) == (2, 20) and sum(tiny.sizes()) == 20
    with pytest.raises(ServiceError):
        scale.ScalePlan.for_fraction(0)


def test_counts_are_in_proportion(loaded):
    projects = loaded["projects"]
    assert projects == 20 and loaded["cohorts"] == 2
    # At fraction 1 these give 60,000 members, 400,000 sessions and 2,000,000 indicator values.
    assert loaded["members"] == 3 * projects
    assert loaded["mentoring_sessions"] == 20 * projects
    assert loaded["indicator_values"] == 100 * projects
    assert loaded["period_reports"] == 8 * projects
    assert loaded["milestones"] == 5 * projects
    assert loaded["trainings"] == 10 * loaded["cohorts"]
    assert loaded["attendances"] == 15 * projects
    assert loaded["project_staff"] == projects
    for table in ("projects", "members", "mentoring_sessions", "indicator_values", "attendances"):
        assert _count(f"SELECT count(*) FROM {table}") == loaded[table]  # really written


def test_rows_follow_the_app_rules(loaded):
    # one lead per project
    assert _count("SELECT count(*) FROM projects p WHERE (SELECT count(*) FROM members m "
                  "WHERE m.project_id = p.id AND m.is_lead) <> 1") == 0
    # drafts were never submitted; every other report was; approved/returned ones were reviewed by someone else
    assert _count("SELECT count(*) FROM period_reports WHERE status = 'draft' AND submitted_at IS NOT NULL") == 0
    assert _count("SELECT count(*) FROM period_reports WHERE status <> 'draft' "
                  "AND (submitted_at IS NULL OR submitted_by_id IS NULL)") == 0
    assert _count("SELECT count(*) FROM period_reports WHERE status IN ('approved', 'returned') AND "
                  "(reviewed_at IS NULL OR reviewed_by_id IS NULL OR reviewed_by_id = submitted_by_id "
                  "OR reviewed_at < submitted_at)") == 0
    assert _count("SELECT count(*) FROM period_reports WHERE period_end >= :today".replace(
        ":today", f"'{TODAY.isoformat()}'")) == 0  # reports only for ended periods
    assert _count("SELECT count(*) FROM period_reports WHERE status = 'approved'") > 0
    # values: of an indicator the project has a target for; five cells when disaggregated, else the total
    assert _count("SELECT count(*) FROM indicator_values v JOIN period_reports r ON r.id = v.report_id "
                  "WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.project_id = r.project_id "
                  "AND t.indicator_id = v.indicator_id)") == 0
    assert _count("SELECT count(*) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id "
                  "WHERE i.disaggregated = (v.cell = 'total')") == 0
    # sessions by the project's mentor, none in the future; attendance of the training cohort's members only
    assert _count("SELECT count(*) FROM mentoring_sessions s WHERE NOT EXISTS (SELECT 1 FROM project_staff ps "
                  "WHERE ps.project_id = s.project_id AND ps.user_id = s.mentor_id)") == 0
    assert _count(f"SELECT count(*) FROM mentoring_sessions WHERE date > '{TODAY.isoformat()}'") == 0
    assert _count("SELECT count(*) FROM attendances a JOIN trainings t ON t.id = a.training_id "
                  "JOIN members m ON m.id = a.member_id JOIN projects p ON p.id = m.project_id "
                  "WHERE p.cohort_id <> t.cohort_id") == 0
    # action items done on or after their session; achieved milestones dated, not in the future
    assert _count("SELECT count(*) FROM action_items a JOIN mentoring_sessions s ON s.id = a.session_id "
                  "WHERE a.done_date < s.date OR a.due_date < s.date") == 0
    assert _count("SELECT count(*) FROM milestones WHERE status = 'achieved' AND "
                  f"(achieved_date IS NULL OR achieved_date > '{TODAY.isoformat()}')") == 0
    # e-mails are fictional
    assert _count("SELECT count(*) FROM users WHERE email NOT LIKE '%@example.org'") == 0


def test_report_of_the_big_cohort(loaded):
    big = db.session.scalar(sa.select(Cohort).where(Cohort.slug == scale.BIG_COHORT_SLUG))
    report = cohort_report([big.id], None, None, today=TODAY)
    size = _count(f"SELECT count(*) FROM projects WHERE cohort_id = {big.id}")
    assert report["portfolio"]["projects"] == size == scale.ScalePlan.for_fraction(FRACTION).big_cohort
    assert report["people"]["members"] == 3 * size
    assert report["mentoring"]["sessions"] == 20 * size
    assert report["trainings"]["sessions"] == 10
    revenue = next(i for i in report["indicators"] if i["code"] == "revenue")
    expected = db.session.scalar(sa.text(
        "SELECT sum(v.value) FROM indicator_values v JOIN period_reports r ON r.id = v.report_id "
        "JOIN projects p ON p.id = r.project_id JOIN indicators i ON i.id = v.indicator_id "
        f"WHERE p.cohort_id = {big.id} AND i.code = 'revenue' AND r.status = 'approved'"))
    assert revenue["actual"] == Decimal(expected)
    assert [row["owed"] for row in report["completeness"]] == [
        _count(f"SELECT count(*) FROM projects WHERE cohort_id = {big.id} AND status = 'active'")] * 8


def test_cli_loads_once_and_refuses_a_second_time(runner):
    result = runner.invoke(args=["demo", "scale", "--fraction", "0.001", "--password", "scale-password-1"])
    assert result.exit_code == 0, result.output
    assert "indicator_values" in result.output and "2,000" in result.output
    again = runner.invoke(args=["demo", "scale", "--fraction", "0.001", "--password", "scale-password-1"])
    assert again.exit_code == 1 and "already loaded" in again.output
    bad = runner.invoke(args=["demo", "scale", "--fraction", "2"])
    assert bad.exit_code != 0 and "fraction" in bad.output.lower()
