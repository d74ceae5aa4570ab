"""Raw data sheets of the XLSX (tracker/reports/raw.py): which rows, no staff notes, formats, neutralisation,
and a query count that does not grow with the number of projects."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from flask import url_for
from openpyxl import load_workbook

from tests import factories
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.report_files.reading import sheets
from tests.reports.test_services import _cohort_with
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.extensions import db
from tracker.milestones.models import MilestoneStatus
from tracker.periods.models import ReportStatus
from tracker.projects.models import Sector, Sex
from tracker.reports import exporters
from tracker.reports.raw import SHEETS, raw_frames
from tracker.reports.services import cohort_report

FROM, TO = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
SECRET = "NOTE-INTERNE-XYZ-confidentielle"
DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


class Known:
    """Two projects of one cohort, one project elsewhere, and rows on both sides of the window."""

    def __init__(self):
        self.cohort = factories.CohortFactory()
        self.a = factories.ProjectFactory(cohort=self.cohort, code="PA", name="Atelier Safi",
                                          sector=Sector.AGRICULTURE, lead__full_name="Amina Fictive")
        self.b = factories.ProjectFactory(cohort=self.cohort, code="PB", name="Boutique Abda")
        self.elsewhere = factories.ProjectFactory(name="Ailleurs")
        self.partner = factories.MemberFactory(project=self.a, full_name="Karim Fictif", sex=Sex.M,
                                               ownership_pct=Decimal("60.00"), phone="+212600000001",
                                               email="karim@example.org", birth_date=dt.date(1990, 2, 3))
        lead_a, lead_b = self.a.members[0], self.b.members[0]
        inside = TrainingFactory(cohort=self.cohort, date=dt.date(2025, 3, 12), title="Business plan")
        before = TrainingFactory(cohort=self.cohort, date=dt.date(2024, 12, 1), title="Avant")
        programme = TrainingFactory(cohort=None, date=dt.date(2025, 4, 2), title="Programme")
        AttendanceFactory(training=inside, member=lead_a, present=True)
        AttendanceFactory(training=inside, member=lead_b, present=False)
        AttendanceFactory(training=before, member=lead_a, present=True)
        AttendanceFactory(training=programme, member=self.partner, present=True)
        AttendanceFactory(training=inside, member=self.elsewhere.members[0], present=True)
        self.session_in = MentoringSessionFactory(project=self.a, date=dt.date(2025, 3, 10), staff_notes=SECRET)
        ActionItemFactory(session=self.session_in, description="Revoir les prix")
        later = MentoringSessionFactory(project=self.b, date=dt.date(2025, 8, 1), staff_notes=SECRET)
        ActionItemFactory(session=later, description="Hors fenêtre")
        MentoringSessionFactory(project=self.elsewhere, date=dt.date(2025, 3, 10))
        self.m_late = MilestoneFactory(project=self.a, title="En retard", planned_date=dt.date(2025, 3, 1))
        self.m_early = MilestoneFactory(project=self.a, title="Atteint tôt", planned_date=dt.date(2025, 9, 30),
                                        status=MilestoneStatus.ACHIEVED, achieved_date=dt.date(2025, 5, 1))
        MilestoneFactory(project=self.b, title="Plus tard", planned_date=dt.date(2025, 12, 31))
        self.m_dropped = MilestoneFactory(project=self.b, title="Abandonné", planned_date=dt.date(2025, 2, 1),
                                          status=MilestoneStatus.DROPPED)
        self.indicator = IndicatorFactory(code="raw_jobs")
        TargetFactory(project=self.a, indicator=self.indicator, baseline_value=Decimal(1),
                      target_value=Decimal("10.50"))
        for project, label, start, end, status, value in (
            (self.a, "2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), ReportStatus.APPROVED, 5),
            (self.a, "2025-T2", dt.date(2025, 4, 1), dt.date(2025, 6, 30), ReportStatus.SUBMITTED, 7),
            (self.b, "2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), ReportStatus.RETURNED, 9),
            (self.b, "2025-T2", dt.date(2025, 4, 1), dt.date(2025, 6, 30), ReportStatus.DRAFT, 13),
            (self.a, "2025-T3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), ReportStatus.APPROVED, 11),
        ):
            report = PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end,
                                         status=status)
            IndicatorValueFactory(report=report, indicator=self.indicator, value=Decimal(value))
        db.session.flush()


def _records(df) -> list[dict]:
    return df.to_dict("records")


def test_rows_of_each_sheet():
    k = Known()
    frames = raw_frames([k.cohort.id], FROM, TO)
    assert list(frames) == list(SHEETS)

    assert [p["code"] for p in _records(frames["projects"])] == ["PA", "PB"]
    assert _records(frames["projects"])[0]["sector"] == "agriculture"  # codes, not enum objects

    members = _records(frames["members"])
    assert [m["full_name"] for m in members] == ["Amina Fictive", "Karim Fictif", k.b.members[0].full_name]
    karim = members[1]
    assert (karim["phone"], karim["email"], karim["ownership_pct"], karim["birth_date"], karim["sex"]) == (
        "+212600000001", "karim@example.org", Decimal("60.00"), dt.date(1990, 2, 3), "M")

    # inside the window, selected members only; the programme-wide training a member attended is there
    attendance = [(r["title"], r["full_name"], r["present"]) for r in _records(frames["attendance"])]
    assert attendance == [
        ("Business plan", "Amina Fictive", True),
        ("Business plan", k.b.members[0].full_name, False),
        ("Programme", "Karim Fictif", True),
    ]

    sessions = _records(frames["sessions"])
    assert [s["session_id"] for s in sessions] == [k.session_in.id]
    assert "staff_notes" not in frames["sessions"].columns
    assert all(SECRET not in str(v) for s in sessions for v in s.values())
    assert [i["description"] for i in _records(frames["action_items"])] == ["Revoir les prix"]

    milestones = {m["title"]: m for m in _records(frames["milestones"])}
    assert set(milestones) == {"En retard", "Atteint tôt", "Abandonné"}  # "Plus tard" is not counted yet
    assert (milestones["En retard"]["late"], milestones["Atteint tôt"]["late"], milestones["Abandonné"]["late"]) == (
        True, False, False)

    assert [(t["project_code"], t["indicator"], t["baseline_value"], t["target_value"])
            for t in _records(frames["targets"])] == [("PA", "raw_jobs", Decimal(1), Decimal("10.50"))]

    values = [(v["period_label"], v["status"], v["value"]) for v in _records(frames["indicator_values"])]
    assert values == [("2025-T1", "approved", Decimal(5))]
    with_submitted = raw_frames([k.cohort.id], FROM, TO, include_submitted=True)["indicator_values"]
    assert [(v["period_label"], v["status"]) for v in _records(with_submitted)] == [
        ("2025-T1", "approved"), ("2025-T2", "submitted")]


def test_raw_values_add_up_to_the_report_figure():
    k = Known()
    for submitted in (False, True):
        report = cohort_report([k.cohort.id], FROM, TO, submitted)
        values = raw_frames([k.cohort.id], FROM, TO, submitted)["indicator_values"]
        actual = next(i["actual"] for i in report["indicators"] if i["code"] == "raw_jobs")
        assert sum(values["value"]) == actual == Decimal(12 if submitted else 5)


def test_xlsx_raw_sheets_formats_frozen_headers_widths_and_no_staff_notes():
    k = Known()
    report = cohort_report([k.cohort.id], FROM, TO)
    data = exporters.to_xlsx(report, raw=raw_frames([k.cohort.id], FROM, TO))
    wb = load_workbook(io.BytesIO(data))
    tables = sheets(wb)
    raw = {name: tables[f"raw.{name}"] for name in SHEETS}
    assert wb.sheetnames[-len(SHEETS) - 1:-1] == [raw[name].title for name in SHEETS]  # then the keys sheet
    assert wb.sheetnames[-len(SHEETS) - 1] == "Données — projets"
    for name in SHEETS:
        assert wb[raw[name].title].freeze_panes == "A2", name

    members = raw["members"]
    ws = wb[members.title]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["N° interne du membre", "N° interne du projet", "Numéro du projet", "Projet", "Nom complet"]
    col = {key.rsplit(".", 1)[1]: index for key, index in members.columns.items()}
    karim = next(row for row in ws.iter_rows(min_row=2) if row[col["full_name"]].value == "Karim Fictif")
    birth = karim[col["birth_date"]]
    assert birth.value.date() == dt.date(1990, 2, 3) and birth.number_format == "yyyy-mm-dd"
    share = karim[col["ownership_pct"]]
    assert share.value == 60 and share.number_format == '0.0" %"'
    assert karim[col["member_id"]].number_format == "#,##0"
    assert karim[col["is_lead"]].value is False
    assert karim[col["sex"]].value == "Homme"  # codes read as labels
    assert karim[col["phone"]].value == "+212600000001" and karim[col["phone"]].data_type == "s"
    letter = karim[col["consent_purpose"]].column_letter
    assert ws.column_dimensions[letter].width >= len("Suivi du projet par le programme d'incubation")

    assert "raw.sessions.staff_notes" not in raw["sessions"].columns
    every_cell = [c.value for sheet in wb for row in sheet.iter_rows() for c in row]
    assert not any(isinstance(v, str) and SECRET in v for v in every_cell)


def test_dangerous_names_are_neutralised_in_section_and_raw_sheets_and_csv(app, login_as):
    """Project names, member names and indicator codes that a spreadsheet would run as formulas."""
    cohort = factories.CohortFactory()
    for n, text in enumerate(DANGEROUS):
        project = factories.ProjectFactory(cohort=cohort, name=text, lead__full_name=text)
        indicator = IndicatorFactory(code=text, name_fr=text)
        TargetFactory(project=project, indicator=indicator)
        report = PeriodReportFactory(project=project, status=ReportStatus.APPROVED)
        IndicatorValueFactory(report=report, indicator=indicator, value=Decimal(n))
    db.session.flush()
    client = login_as("manager")
    with app.test_request_context():
        args = {"cohort": cohort.id, "from": "2025-01-01", "to": "2025-06-30"}
        xlsx = client.get(url_for("report_files.cohort_file", fmt="xlsx", **args))
        zipped = client.get(url_for("report_files.cohort_file", fmt="csv", **args))
    assert xlsx.status_code == zipped.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    tables = sheets(wb)
    # XML turns a bare carriage return into a line feed on reading
    expected = {text.replace("\r", "\n") for text in DANGEROUS}

    def column(section, name):
        sheet = tables[section]
        index = sheet.columns[f"{section}.{name}"]
        return {row[index].replace("\r", "\n") for row in wb[sheet.title].iter_rows(min_row=2, values_only=True)}

    assert column("raw.projects", "name") == expected  # as typed: text cells, no apostrophe
    assert column("raw.members", "full_name") == expected
    assert column("raw.members", "project_name") == expected
    assert column("raw.attendance", "full_name") <= expected  # no training here: empty
    assert column("raw.indicator_values", "indicator") == expected
    assert column("raw.targets", "indicator") == expected
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.value)  # never a formula
                if isinstance(cell.value, str) and cell.value.startswith(exporters.DANGEROUS_PREFIXES):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.value)

    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        assert len(archive.namelist()) == 9  # sections only: no personal data
        rows = list(csv.reader(io.StringIO(archive.read(archive.namelist()[6]).decode("utf-8-sig"), newline=""),
                               delimiter=";"))
    assert {row[0] for row in rows[1:]} == {"'" + text for text in DANGEROUS}  # the indicator names, guarded


@pytest.mark.parametrize("submitted", [False, True])
def test_raw_frames_query_count_does_not_grow_with_projects(count_queries, submitted):
    cohort_ids = [_cohort_with(5).id, _cohort_with(50).id]
    db.session.expire_all()
    counts, frames = [], []
    for cohort_id in cohort_ids:
        with count_queries() as queries:
            frames.append(raw_frames([cohort_id], None, dt.date(2025, 6, 30), submitted))
        counts.append(len(queries))
    assert counts == [len(SHEETS), len(SHEETS)] == [8, 8]
    small, large = frames
    assert (len(small["projects"]), len(large["projects"])) == (5, 50)
    assert len(large["members"]) == 100 and len(large["attendance"]) == 50 and len(large["sessions"]) == 50
    assert len(large["indicator_values"]) == 50
