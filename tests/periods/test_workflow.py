"""The report workflow, called directly: every allowed transition and every refused one.

Each refused action asserts that nothing changed: status, version, review fields, values, audit trail.
"""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.periods.conftest import AFTER_T1, T1, audit_count, entries, report_count, state_of, stored_values
from tests.periods.factories import PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.indicators.models import Target
from tracker.periods import workflow
from tracker.periods.entries import IndicatorEntry
from tracker.periods.models import Cell, PeriodReport, ReportStatus
from tracker.periods.services import get_report_by_label
from tracker.periods.workflow import NotAllowedError, Outcome, ReadOnlyError, ValuesError

NARRATIVE = {"highlights": "Nouveau client à Safi.", "difficulties": "", "support_needed": None}


def save(actors, ind, actor=None, report=None, version="", submit=False, today=AFTER_T1, project=None, **values):
    return workflow.save_report(
        actor or actors.holder, project or actors.project, T1, entries(ind, **values), NARRATIVE, version,
        submit=submit, report=report, today=today,
    )


def submitted(actors, ind, by=None):
    report, _outcome = save(actors, ind, actor=by or actors.holder, submit=True, revenue="100")
    return report


def events(report_id, action=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.entity_type == "period_report", AuditEvent.entity_id == report_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def test_the_transition_table_is_exactly_the_documented_one():
    S = ReportStatus
    assert workflow.TRANSITIONS == {
        (S.DRAFT, S.SUBMITTED): "submit", (S.RETURNED, S.DRAFT): "edit", (S.RETURNED, S.SUBMITTED): "submit",
        (S.SUBMITTED, S.APPROVED): "approve", (S.SUBMITTED, S.RETURNED): "return", (S.APPROVED, S.DRAFT): "reopen",
    }


# ---------------------------------------------------------------- allowed transitions

def test_first_save_creates_a_draft_with_its_values_blank_cells_left_out(actors, indicators):
    report, outcome = save(actors, indicators, revenue="1234.5", jobs={Cell.WOMEN_YOUTH: 2, Cell.MEN_OTHER: 1},
                           comments={"jobs": "Deux couturières embauchées."})
    assert outcome == Outcome.CREATED
    assert (report.status, report.version, report.period_label, report.period_end) == (
        ReportStatus.DRAFT, 1, "2025-T1", dt.date(2025, 3, 31))
    assert stored_values(report.id) == {
        (indicators.revenue.id, Cell.TOTAL): (Decimal("1234.5"), None),
        (indicators.jobs.id, Cell.WOMEN_YOUTH): (Decimal(2), "Deux couturières embauchées."),
        (indicators.jobs.id, Cell.MEN_OTHER): (Decimal(1), None),
    }
    [created] = events(report.id)
    assert created.action == "create" and created.user_id == actors.holder.id
    assert created.changes["t_revenue.total"] == [None, "1234.50"]


def test_blank_means_no_value_and_clearing_a_cell_removes_it(actors, indicators):
    report, _ = save(actors, indicators, revenue="0", margin="-3.5")
    assert stored_values(report.id)[(indicators.revenue.id, Cell.TOTAL)] == (Decimal(0), None)  # zero is a value
    report, outcome = save(actors, indicators, report=report, version=report.version, margin="-3.5")
    assert outcome == Outcome.SAVED
    assert stored_values(report.id) == {(indicators.margin.id, Cell.TOTAL): (Decimal("-3.5"), None)}
    assert report.version == 2
    assert events(report.id, "update")[0].changes == {"t_revenue.total": ["0.00", None]}


def test_saving_the_same_figures_changes_nothing(actors, indicators):
    report, _ = save(actors, indicators, revenue="10")
    before = state_of(report.id)
    _report, outcome = save(actors, indicators, report=report, version=report.version, revenue="10.00")
    assert outcome == Outcome.UNCHANGED
    assert state_of(report.id) == before


def test_draft_to_submitted_by_the_holder(actors, indicators):
    report, _ = save(actors, indicators, revenue="10")
    report, outcome = save(actors, indicators, report=report, version=report.version, submit=True, revenue="12")
    assert outcome == Outcome.SUBMITTED
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by_id == actors.holder.id
    assert report.submitted_at is not None
    [event] = events(report.id, "submit")
    assert event.changes == {"status": ["draft", "submitted"]}
    assert stored_values(report.id)[(indicators.revenue.id, Cell.TOTAL)] == (Decimal(12), None)


def test_new_report_submitted_at_once_by_staff_on_the_holders_behalf(actors, indicators):
    report = submitted(actors, indicators, by=actors.staff)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by_id == actors.staff.id
    assert [e.action for e in events(report.id)] == ["create", "submit"]


def test_submitted_to_approved_by_staff(actors, indicators):
    report = submitted(actors, indicators)
    assert workflow.approve_report(actors.staff, report, report.version, "  Merci.  ") is True
    assert (report.status, report.reviewed_by_id, report.review_comment) == (
        ReportStatus.APPROVED, actors.staff.id, "Merci.")
    [event] = events(report.id, "approve")
    assert event.changes == {"status": ["submitted", "approved"], "review_comment": [None, "Merci."]}


def test_submitted_to_returned_with_a_comment(actors, indicators):
    report = submitted(actors, indicators)
    assert workflow.return_report(actors.staff, report, report.version, "Le chiffre d'affaires semble faible.")
    assert report.status == ReportStatus.RETURNED
    [event] = events(report.id, "return")
    assert event.changes == {"status": ["submitted", "returned"],
                             "review_comment": [None, "Le chiffre d'affaires semble faible."]}


def test_returned_goes_back_to_draft_when_edited_and_keeps_the_comment(actors, indicators):
    report = submitted(actors, indicators)
    workflow.return_report(actors.staff, report, report.version, "Détaillez les emplois.")
    report, outcome = save(actors, indicators, report=report, version=report.version, revenue="100",
                           jobs={Cell.WOMEN_OTHER: 1})
    assert outcome == Outcome.SAVED
    assert report.status == ReportStatus.DRAFT
    assert report.review_comment == "Détaillez les emplois."  # still shown until resubmitted
    assert events(report.id, "edit")[0].changes == {"status": ["returned", "draft"]}


def test_returned_is_resubmitted(actors, indicators):
    report = submitted(actors, indicators)
    workflow.return_report(actors.staff, report, report.version, "Détaillez les emplois.")
    report, outcome = save(actors, indicators, report=report, version=report.version, submit=True, revenue="100",
                           jobs={Cell.WOMEN_OTHER: 1})
    assert outcome == Outcome.SUBMITTED and report.status == ReportStatus.SUBMITTED
    assert events(report.id, "submit")[-1].changes == {"status": ["returned", "submitted"]}


def test_approved_is_reopened_by_a_manager_with_a_reason(actors, indicators):
    report = submitted(actors, indicators)
    workflow.approve_report(actors.staff, report, report.version)
    workflow.reopen_report(actors.manager, report, report.version, "Erreur de saisie signalée par le porteur.")
    assert report.status == ReportStatus.DRAFT
    assert report.review_comment == "Erreur de saisie signalée par le porteur."
    [event] = events(report.id, "reopen")
    assert event.user_id == actors.manager.id
    assert event.changes["status"] == ["approved", "draft"]
    assert event.changes["reason"] == [None, "Erreur de saisie signalée par le porteur."]


def test_on_behalf_submission_is_approved_by_someone_else(actors, indicators):
    report = submitted(actors, indicators, by=actors.staff)
    assert workflow.approve_report(actors.manager, report, report.version) is True
    assert report.status == ReportStatus.APPROVED


def test_second_approval_click_changes_nothing(actors, indicators):
    report = submitted(actors, indicators)
    workflow.approve_report(actors.staff, report, report.version)
    before = state_of(report.id)
    assert workflow.approve_report(actors.staff, report, report.version - 1) is False
    assert state_of(report.id) == before


# ---------------------------------------------------------------- refused transitions

def _draft(actors, ind):
    return save(actors, ind, revenue="50")[0]


def _approved(actors, ind):
    report = submitted(actors, ind)
    workflow.approve_report(actors.staff, report, report.version)
    return report


REFUSED = {
    "approve a draft": (_draft, lambda a, i, r: workflow.approve_report(a.staff, r, r.version), ServiceError),
    "return a draft": (_draft, lambda a, i, r: workflow.return_report(a.staff, r, r.version, "Non."), ServiceError),
    "return without comment": (submitted, lambda a, i, r: workflow.return_report(a.staff, r, r.version, "   "),
                               ServiceError),
    "edit an approved report": (_approved, lambda a, i, r: save(a, i, report=r, version=r.version, revenue="1"),
                                ReadOnlyError),
    "submit an approved report": (_approved, lambda a, i, r: save(a, i, report=r, version=r.version, submit=True,
                                                                  revenue="1"), ReadOnlyError),
    "save over a submitted report": (submitted, lambda a, i, r: save(a, i, report=r, version=r.version,
                                                                     revenue="1"), ReadOnlyError),
    "resubmit a submitted report with other figures": (
        submitted, lambda a, i, r: save(a, i, report=r, version=r.version, submit=True, revenue="999"),
        ReadOnlyError),
    "approve own on-behalf submission": (
        lambda a, i: submitted(a, i, by=a.staff), lambda a, i, r: workflow.approve_report(a.staff, r, r.version),
        ServiceError),
    "holder approves": (submitted, lambda a, i, r: workflow.approve_report(a.holder, r, r.version), NotAllowedError),
    "holder returns": (submitted, lambda a, i, r: workflow.return_report(a.holder, r, r.version, "x"),
                       NotAllowedError),
    "reopen by staff": (_approved, lambda a, i, r: workflow.reopen_report(a.staff, r, r.version, "Erreur."),
                        NotAllowedError),
    "reopen without reason": (_approved, lambda a, i, r: workflow.reopen_report(a.manager, r, r.version, ""),
                              ServiceError),
    "reopen a submitted report": (submitted, lambda a, i, r: workflow.reopen_report(a.manager, r, r.version, "x"),
                                  ServiceError),
    "approve with a stale version": (submitted, lambda a, i, r: workflow.approve_report(a.staff, r, r.version - 1),
                                     ConflictError),
    "save a draft with a stale version": (_draft, lambda a, i, r: save(a, i, report=r, version=r.version + 1,
                                                                       revenue="1"), ConflictError),
    "invalid value": (_draft, lambda a, i, r: save(a, i, report=r, version=r.version, revenue="-1"), ValuesError),
    "submit before the submission window": (
        _draft, lambda a, i, r: save(a, i, report=r, version=r.version, submit=True, revenue="50",
                                     today=dt.date(2025, 3, 23)), ServiceError),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_actions_change_nothing(actors, indicators, name):
    make, act, error = REFUSED[name]
    report = make(actors, indicators)
    before = state_of(report.id)
    with pytest.raises(error):
        act(actors, indicators, report)
    assert state_of(report.id) == before


def test_double_submission_is_harmless(actors, indicators):
    report = submitted(actors, indicators)
    before = state_of(report.id)
    again, outcome = save(actors, indicators, report=report, version=report.version - 1, submit=True, revenue="100")
    assert outcome == Outcome.ALREADY_SUBMITTED and again is report
    assert state_of(report.id) == before


def test_holder_cannot_submit_for_another_project(actors, indicators):
    before = (report_count(), audit_count())
    with pytest.raises(NotAllowedError):
        save(actors, indicators, project=actors.other_project, submit=True, revenue="1")
    assert (report_count(), audit_count()) == before
    assert get_report_by_label(actors.other_project.id, "2025-T1") is None


def test_report_created_meanwhile_is_a_conflict(actors, indicators):
    existing = PeriodReportFactory(project=actors.project)
    before = state_of(existing.id)
    with pytest.raises(ConflictError):
        save(actors, indicators, report=existing, version="", revenue="5")
    assert state_of(existing.id) == before


def test_submission_opens_seven_days_before_the_end_of_the_period(actors, indicators):
    report, outcome = save(actors, indicators, submit=True, revenue="5", today=dt.date(2025, 3, 24))
    assert outcome == Outcome.SUBMITTED and report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("values, field, message", [
    ({"revenue": "-1"}, "revenue-total", "négative"),
    ({"margin": "100.5"}, "margin-total", "100"),
    ({"jobs": {Cell.MEN_YOUTH: "1.5"}}, "jobs-men_youth", "entier"),
    ({"revenue": "1.234"}, "revenue-total", "deux chiffres"),
    ({"revenue": "1e17"}, "revenue-total", "trop grande"),
])
def test_values_are_checked_by_the_workflow_too(actors, indicators, values, field, message):
    code, cell = field.split("-")
    indicator = getattr(indicators, code)
    with pytest.raises(ValuesError) as raised:
        save(actors, indicators, **values)
    assert message in str(raised.value.errors[workflow.value_field(indicator.id, Cell(cell))])
    assert report_count() == 0


def test_a_comment_needs_a_value(actors, indicators):
    with pytest.raises(ValuesError) as raised:
        save(actors, indicators, comments={"revenue": "Pas de ventes ce trimestre."})
    assert workflow.comment_field(indicators.revenue.id) in raised.value.errors
    assert report_count() == 0


def test_a_total_cell_for_a_disaggregated_indicator_is_refused(actors, indicators):
    forged = entries(indicators, jobs={Cell.WOMEN_YOUTH: 1})
    forged[indicators.jobs.id].cells[Cell.TOTAL] = Decimal(99)
    with pytest.raises(ValuesError):
        workflow.save_report(actors.holder, actors.project, T1, forged, NARRATIVE, "", today=AFTER_T1)
    assert report_count() == 0


def test_values_of_an_indicator_without_target_any_more_are_kept(actors, indicators):
    report, _ = save(actors, indicators, revenue="10", margin="5")
    db.session.execute(sa.delete(Target).where(Target.indicator_id == indicators.margin.id))
    indicators.margin.active = False
    db.session.flush()
    db.session.expire_all()
    report = db.session.get(PeriodReport, report.id)
    only_revenue = {indicators.revenue.id: IndicatorEntry({Cell.TOTAL: Decimal(11)})}
    workflow.save_report(actors.holder, actors.project, T1, only_revenue, NARRATIVE, report.version, report=report,
                         today=AFTER_T1)
    assert stored_values(report.id)[(indicators.margin.id, Cell.TOTAL)] == (Decimal(5), None)


# ---------------------------------------------------------------- validation rules (issue 14 item 7)

def test_save_refuses_cells_that_break_the_typed_total_and_writes_nothing(app, actors, indicators):
    typed = entries(indicators, jobs={Cell.WOMEN_YOUTH: Decimal(4), Cell.MEN_OTHER: Decimal(2)})
    typed[indicators.jobs.id].typed_total = Decimal(5)
    with app.test_request_context(), pytest.raises(ValuesError) as error:
        workflow.save_report(actors.holder, actors.project, T1, typed, NARRATIVE, "", today=AFTER_T1)
    assert list(error.value.errors) == [workflow.total_field(indicators.jobs.id)]
    assert report_count() == 0


def test_save_keeps_the_cells_and_never_stores_the_control_total(app, actors, indicators):
    typed = entries(indicators, jobs={Cell.WOMEN_YOUTH: Decimal(3), Cell.MEN_OTHER: Decimal(2)})
    typed[indicators.jobs.id].typed_total = Decimal(5)
    with app.test_request_context():
        report, _ = workflow.save_report(actors.holder, actors.project, T1, typed, NARRATIVE, "", submit=True,
                                         today=AFTER_T1)
    assert stored_values(report.id) == {(indicators.jobs.id, Cell.WOMEN_YOUTH): (Decimal(3), None),
                                        (indicators.jobs.id, Cell.MEN_OTHER): (Decimal(2), None)}
    assert report.status == ReportStatus.SUBMITTED


def test_approval_is_refused_for_figures_above_their_total_row(app, actors, indicators):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder)
    for cell, value in ((Cell.TOTAL, 3), (Cell.WOMEN_OTHER, 4)):
        report.values.append(workflow.IndicatorValue(indicator_id=indicators.jobs.id, cell=cell, value=Decimal(value)))
    db.session.flush()
    before = state_of(report.id)
    with app.test_request_context(), pytest.raises(ServiceError):
        workflow.approve_report(actors.staff, report, report.version)
    assert state_of(report.id) == before
    with app.test_request_context():
        assert workflow.return_report(actors.staff, report, report.version, "Le total ne correspond pas.")
