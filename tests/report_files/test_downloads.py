"""GET /reports/cohort.<fmt>: file names, types, no caching, bad filters → 400 page, audit trail, query count."""

import datetime as dt
import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook

from tests import factories
from tests.reports.test_services import _cohort_with
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.reports.raw import SHEETS
from tracker.reports.services import report_json


def _get(app, client, fmt, **args):
    with app.test_request_context():
        url = url_for("report_files.cohort_file", fmt=fmt, **args)
    return client.get(url)


def _exports():
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export").order_by(AuditEvent.id)))


@pytest.mark.parametrize(("fmt", "mimetype", "extension"), [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("csv", "application/zip", "csv.zip"),
    ("json", "application/json", "json"),
])
def test_file_name_type_and_no_store(app, actors, login_as, fmt, mimetype, extension):
    response = _get(app, login_as("manager"), fmt, cohort=actors.cohort.id, **{"from": "2025-01-01",
                                                                                  "to": "2025-06-30"})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=mowakaba-{actors.cohort.slug}-2025-01-01-2025-06-30.{extension}")
    assert response.headers["Cache-Control"] == "no-store"


def test_file_names_for_the_programme_and_several_cohorts(app, actors, login_as):
    client = login_as("admin")
    today = dt.date.today().isoformat()
    other = factories.CohortFactory()
    whole = _get(app, client, "json")
    several = _get(app, client, "json", cohort=[actors.cohort.id, other.id], to="2025-12-31")
    assert whole.headers["Content-Disposition"] == f"attachment; filename=mowakaba-programme-{today}.json"
    assert several.headers["Content-Disposition"] == "attachment; filename=mowakaba-2-cohorts-2025-12-31.json"


def test_json_download_is_the_section_12_report(app, actors, login_as):
    args = {"cohort": actors.cohort.id, "from": "2025-01-01", "to": "2025-06-30", "submitted": "1"}
    response = _get(app, login_as("manager"), "json", **args)
    expected = report_json([actors.cohort.id], dt.date(2025, 1, 1), dt.date(2025, 6, 30), True)
    assert response.get_data(as_text=True) == expected + "\n"
    assert json.loads(response.data)["filters"]["include_submitted"] is True


def test_xlsx_has_section_and_raw_sheets_csv_sections_only(app, actors, login_as):
    client = login_as("manager")
    wb = load_workbook(io.BytesIO(_get(app, client, "xlsx", cohort=actors.cohort.id).data))
    # the reader's language (French here): sheets named as on screen, then the raw data, then the keys
    assert wb.sheetnames == ["Rapport", "Portefeuille", "Personnes", "Formations", "Accompagnement", "Jalons",
                             "Indicateurs", "Complétude des données", "Tendances des indicateurs",
                             "Données — projets", "Données — membres", "Données — présences", "Données — séances",
                             "Données — actions", "Données — jalons", "Données — cibles", "Données — valeurs",
                             "Clés"]
    assert [key for _sheet, label, key in wb["Clés"].iter_rows(min_row=2, values_only=True) if not label] == [
        "filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators", "completeness",
        "trends", *(f"raw.{name}" for name in SHEETS)]
    with zipfile.ZipFile(io.BytesIO(_get(app, client, "csv", cohort=actors.cohort.id).data)) as archive:
        # sections only: the raw data (personal data) stays in the XLSX
        assert archive.namelist() == ["01-filtres.csv", "02-portefeuille.csv", "03-personnes.csv",
                                      "04-formations.csv", "05-accompagnement.csv", "06-jalons.csv",
                                      "07-indicateurs.csv", "08-completude-des-donnees.csv",
                                      "09-tendances-des-indicateurs.csv"]


def test_csv_dialect_and_annex_arguments(app, actors, login_as):
    client = login_as("manager")
    with zipfile.ZipFile(io.BytesIO(_get(app, client, "csv", cohort=actors.cohort.id, dialect="excel-en").data)) as z:
        assert z.read(z.namelist()[1]).decode("utf-8-sig").startswith("Mesure,Valeur\r\n")
    response = _get(app, client, "csv", cohort=actors.cohort.id, dialect="excel-de")
    assert response.status_code == 400 and "excel-fr" in response.get_data(as_text=True)


@pytest.mark.parametrize(("args", "message"), [
    ({"from": "2025-13-01"}, "Date de début invalide"),
    ({"to": "demain"}, "Date de fin invalide"),
    ({"from": "2025-06-01", "to": "2025-01-01"}, "La date de début est postérieure à la date de fin."),
    ({"from": "2999-01-01"}, "La date de début est dans le futur."),
    ({"cohort": "abc"}, "Cohorte inconnue."),
    ({"cohort": "987654"}, "Cohorte inconnue."),
])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "pdf"])
def test_bad_filters_give_a_400_page_and_no_file(app, login_as, fmt, args, message):
    response = _get(app, login_as("manager"), fmt, **args)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert message in page and "Requête invalide" in page
    assert _exports() == []


@pytest.mark.parametrize("fmt", ["html", "xls", "XLSX", "zip", "xml"])
def test_unknown_format_is_404(app, actors, login_as, fmt):
    assert _get(app, login_as("manager"), fmt, cohort=actors.cohort.id).status_code == 404


def test_every_download_is_audited_xlsx_as_personal_data(app, actors, login_as):
    client = login_as("manager")
    args = {"cohort": actors.cohort.id, "from": "2025-01-01", "to": "2025-06-30"}
    for fmt in ("xlsx", "csv", "json"):
        assert _get(app, client, fmt, **args, submitted="1").status_code == 200
    assert _get(app, client, "json").status_code == 200  # whole programme
    events = _exports()
    assert [(e.changes["format"], e.changes["personal_data"]) for e in events] == [
        ("xlsx", True), ("csv", False), ("json", False), ("json", False)]
    first = events[0]
    assert (first.user_id, first.entity_type, first.entity_id) == (actors.manager.id, "cohort", actors.cohort.id)
    assert first.changes["filters"] == {"cohorts": [actors.cohort.slug], "from": "2025-01-01", "to": "2025-06-30",
                                        "include_submitted": True}
    assert events[-1].entity_id is None and events[-1].changes["filters"]["from"] is None


def test_refused_download_is_not_audited(app, actors, login_as):
    assert _get(app, login_as("staff"), "xlsx", cohort=actors.cohort.id).status_code == 403
    assert _get(app, login_as("holder"), "xlsx", cohort=actors.cohort.id).status_code == 404
    assert _exports() == []


def test_xlsx_download_query_count_does_not_grow_with_projects(app, actors, login_as, count_queries):
    client = login_as("manager")
    cohort_ids = [_cohort_with(5).id, _cohort_with(50).id]
    db.session.commit()
    counts, sizes = [], []
    for cohort_id in cohort_ids:
        with count_queries() as queries:
            response = _get(app, client, "xlsx", cohort=cohort_id, to="2025-06-30")
        assert response.status_code == 200
        counts.append(len(queries))
        sizes.append(load_workbook(io.BytesIO(response.data))["Données — projets"].max_row - 1)
    assert sizes == [5, 50]
    assert counts[0] == counts[1]
    print(f"SQL statements for an XLSX download with raw sheets: 5 projects {counts[0]}, 50 projects {counts[1]}")


def test_an_annex_too_large_is_refused_with_a_message(app, actors, login_as, monkeypatch, tmp_path):
    from tracker.reports import annex
    from tracker.reports.cli import report_cli

    monkeypatch.setattr(annex, "ANNEX_MAX_PROJECTS", 0)  # the actors' cohort has projects: one too many
    client = login_as("manager")
    refused = _get(app, client, "pdf", cohort=actors.cohort.id, annex="1")
    assert refused.status_code == 400 and "choisissez moins de cohortes" in refused.get_data(as_text=True)
    assert _get(app, client, "pdf", cohort=actors.cohort.id).status_code == 200  # without the annex
    result = app.test_cli_runner().invoke(report_cli, ["cohort", "--cohort", actors.cohort.slug, "--format", "pdf",
                                                       "--annex", "--output", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "one page per project" in result.output
