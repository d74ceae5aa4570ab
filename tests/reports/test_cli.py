"""`flask report cohort`: the same figures in JSON, CSV and XLSX for the demo; errors and exit codes."""

import datetime as dt
import json
import shutil

import pytest

from tests import factories
from tests.report_files.reading import csv_files, is_rate, json_value, same_in_csv, same_in_xlsx, sheets, workbook
from tracker.reports.cli import report_cli

DEMO_SLUG = "innov-impact-demo-safi"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output


def _invoke(app, *args):
    return app.test_cli_runner().invoke(report_cli, ["cohort", *args])


def _flatten(prefix, value, out):
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, sub, out)
    else:
        out[prefix] = value
    return out


def compare_files(report: dict, wb, files: list, decimal: str) -> int:
    """Every figure of the XLSX section sheets and of the CSV files equals the JSON one (the CSV rounded as
    shown); the keys come from the XLSX keys sheet, the CSV rows follow the same tables in the same order."""
    tables = sheets(wb)
    checked = 0
    order = ["filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators", "completeness",
             "trends"]
    assert len(files) == len(order)
    for (name, rows), section in zip(files, order, strict=True):
        sheet = tables[section]
        data_rows = rows[1:]
        keys = list(sheet.rows)
        if section == "filters":
            continue  # dates and names, checked apart
        assert len(data_rows) == len(keys), (name, section)
        for key, csv_row in zip(keys, data_rows, strict=True):
            xlsx_row = sheet.rows[key]
            # the same label in both; the CSV says when a figure is in per cent
            assert csv_row[0] in (xlsx_row[0], f"{xlsx_row[0]} (%)"), (csv_row[0], xlsx_row[0])
            if not sheet.columns:  # measure | value
                expected = json_value(report, key)
                assert same_in_xlsx(expected, xlsx_row[1]), (key, expected, xlsx_row[1])
                assert same_in_csv(expected, csv_row[1], decimal, is_rate(key)), (key, expected, csv_row[1])
                checked += 1
                continue
            for column_key, index in sheet.columns.items():
                expected = json_value(report, key, column_key)
                if isinstance(expected, bool) or not isinstance(expected, (int, float, str)) or column_key.endswith(
                        (".code", ".unit", ".kind", ".period")):
                    continue
                assert same_in_xlsx(expected, xlsx_row[index]), (key, column_key, expected, xlsx_row[index])
                assert same_in_csv(expected, csv_row[index], decimal, is_rate(column_key)), (key, column_key)
                checked += 1
    return checked


def test_demo_same_figures_in_json_csv_and_xlsx(app, demo, tmp_path):
    today = dt.date.today().isoformat()
    window = ["--cohort", DEMO_SLUG, "--from", "2025-01-01", "--to", today]
    result = _invoke(app, *window, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == ["filters", "portfolio", "people", "trainings", "mentoring", "milestones",
                            "indicators", "completeness", "trends"]
    assert report["filters"]["cohorts"] == [DEMO_SLUG] and report["portfolio"]["projects"] == 32

    assert _invoke(app, *window, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    assert _invoke(app, *window, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    wb = workbook((tmp_path / "r.xlsx").read_bytes())
    files = csv_files((tmp_path / "r.zip").read_bytes(), ";")
    assert compare_files(report, wb, files, ",") > 300

    cover = sheets(wb)["filters"].rows
    assert cover["filters.cohorts"][1].endswith(f"({DEMO_SLUG})") and cover["filters.include_submitted"][1] is False
    assert cover["filters.reference_date"][1].date().isoformat() == today and "generated_at" in cover
    # in English: "," and decimal points, and English labels
    assert _invoke(app, *window, "--format", "csv", "--locale", "en", "--output", str(tmp_path / "en.zip")) \
        .exit_code == 0
    assert _invoke(app, *window, "--format", "xlsx", "--locale", "en", "--output", str(tmp_path / "en.xlsx")) \
        .exit_code == 0
    english = workbook((tmp_path / "en.xlsx").read_bytes())
    assert compare_files(report, english, csv_files((tmp_path / "en.zip").read_bytes(), ","), ".") > 300
    assert english.worksheets[1].title == "Portfolio"


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_demo_files_speak_labels_not_keys(app, demo, tmp_path, locale):
    from tests.reports.test_exporters import _keys

    args = ["--cohort", DEMO_SLUG, "--locale", locale]
    report = json.loads(_invoke(app, "--cohort", DEMO_SLUG, "--format", "json").stdout)
    keys = _keys(report) | {ind["code"] for ind in report["indicators"]}
    assert _invoke(app, *args, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    assert _invoke(app, *args, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    wb = workbook((tmp_path / "r.xlsx").read_bytes())
    raw_titles = {title for title, label, key in wb.worksheets[-1].iter_rows(min_row=2, values_only=True)
                  if not label and key.startswith("raw.")}
    for ws in wb.worksheets[:-1]:
        assert ws.sheet_view.rightToLeft is (locale == "ar")
        if ws.title in raw_titles:  # data rows: codes of the data (project numbers...), but labelled columns
            assert not any(cell in keys or "_" in str(cell) for cell in next(ws.iter_rows(values_only=True)))
            continue
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v in keys for v in row), (locale, ws.title, row)
    for name, rows in csv_files((tmp_path / "r.zip").read_bytes(), "," if locale == "en" else ";"):
        assert not any(cell in keys for cell in rows[0]), (name, rows[0])
        assert not any(row[0] in keys for row in rows[1:]), name


def test_csv_dialect_option_overrides_the_locale(app, demo, tmp_path):
    args = ["--cohort", DEMO_SLUG, "--format", "csv", "--locale", "fr", "--csv-dialect", "excel-en"]
    assert _invoke(app, *args, "--output", str(tmp_path / "r.zip")).exit_code == 0
    files = csv_files((tmp_path / "r.zip").read_bytes(), ",")
    assert files[1][1][0] == ["Mesure", "Valeur"]  # French labels, English separators
    hours = dict(files[3][1][1:])["Heures de formation"]
    assert "." in hours and "," not in hours


def test_include_submitted_is_announced_in_every_format(app, demo, tmp_path):
    args = ["--cohort", DEMO_SLUG, "--include-submitted"]
    assert json.loads(_invoke(app, *args, "--format", "json").stdout)["filters"]["include_submitted"] is True
    assert _invoke(app, *args, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    assert ["Valeurs soumises incluses", "Oui"] in csv_files((tmp_path / "r.zip").read_bytes(), ";")[0][1]
    assert _invoke(app, *args, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    cover = sheets(workbook((tmp_path / "r.xlsx").read_bytes()))["filters"].rows
    assert cover["filters.include_submitted"][1] is True


def test_json_to_a_file_and_several_cohorts(app, demo, tmp_path):
    other = factories.ProjectFactory().cohort
    out = tmp_path / "r.json"
    result = _invoke(app, "--cohort", DEMO_SLUG, "--cohort", other.slug, "--cohort", DEMO_SLUG,
                     "--format", "json", "--output", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["filters"]["cohorts"] == sorted([DEMO_SLUG, other.slug])
    assert report["portfolio"]["projects"] == 33


def test_dangerous_text_in_the_data_is_neutralised(app, tmp_path):
    evil = '=HYPERLINK("http://x")'
    factories.ProjectFactory(cohort=factories.CohortFactory(slug=evil, name=evil), province="+212600000000")
    assert _invoke(app, "--cohort", evil, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    files = csv_files((tmp_path / "r.zip").read_bytes(), ";")
    assert ["Cohorte", f"'{evil} ({evil})"] in files[0][1]
    assert ["Par province — +212600000000", "1"] in files[1][1]  # starts with "P": harmless
    assert _invoke(app, "--cohort", evil, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    wb = workbook((tmp_path / "r.xlsx").read_bytes())
    cell = next(c for row in wb.worksheets[0].iter_rows() for c in row if c.value == f"{evil} ({evil})")
    assert cell.data_type == "s" and cell.quotePrefix  # text as typed, no visible apostrophe, never a formula


def test_uncompiled_catalogue_stops_the_command(app, tmp_path, monkeypatch):
    """A locale without its compiled catalogue would print French labels in an "Arabic" file: exit 1."""
    slug = factories.CohortFactory().slug
    source = app.extensions["babel"].translation_directories[0]
    for lang in ("fr", "en"):  # ar has only its .po here: never compiled
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(f"{source}/{lang}/LC_MESSAGES/messages.mo", tmp_path / lang / "LC_MESSAGES")
    (tmp_path / "ar" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(f"{source}/ar/LC_MESSAGES/messages.po", tmp_path / "ar" / "LC_MESSAGES")
    monkeypatch.setattr(app.extensions["babel"], "translation_directories", [str(tmp_path)])
    result = _invoke(app, "--cohort", slug, "--format", "pdf", "--locale", "ar", "--output", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1
    assert "translation catalogue not compiled for ar" in result.output and "make babel-compile" in result.output
    assert not (tmp_path / "r.pdf").exists()
    assert _invoke(app, "--cohort", slug, "--format", "json").exit_code == 0  # JSON has no labels


def test_the_app_refuses_to_start_without_compiled_catalogues(tmp_path):
    from config import TestingConfig
    from tracker import create_app
    from tracker.core.i18n import CatalogueError

    (tmp_path / "ar" / "LC_MESSAGES").mkdir(parents=True)
    with pytest.raises(CatalogueError, match="not compiled for fr, ar, en"):
        create_app(TestingConfig, {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)})


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--cohort", "nope", "--format", "json"], 1, "no cohort with the slug 'nope'"),
    (["--cohort", "{slug}", "--from", "2026-13-01", "--format", "json"], 2, "is not a date"),
    (["--cohort", "{slug}", "--to", "yesterday", "--format", "json"], 2, "is not a date"),
    (["--cohort", "{slug}", "--from", "2026-03-01", "--to", "2026-02-01", "--format", "json"], 2,
     "is after --to"),
    (["--cohort", "{slug}", "--from", "2999-01-01", "--format", "json"], 1, "after the reference date"),
    (["--cohort", "{slug}", "--format", "csv"], 2, "--output"),
    (["--cohort", "{slug}", "--format", "xlsx"], 2, "--output"),
    (["--cohort", "{slug}", "--format", "pdf"], 2, "--output"),
    (["--cohort", "{slug}", "--format", "pdf", "--output", "x.pdf", "--locale", "de"], 2,
     "Invalid value for '--locale'"),
    (["--cohort", "{slug}", "--format", "html"], 2, "Invalid value for '--format'"),
    (["--cohort", "{slug}", "--format", "csv", "--output", "x.zip", "--csv-dialect", "excel-de"], 2,
     "Invalid value for '--csv-dialect'"),
    (["--cohort", "{slug}", "--format", "xlsx", "--output", "x.xlsx", "--csv-dialect", "excel-en"], 2,
     "--csv-dialect only applies to --format csv"),
    (["--cohort", "{slug}", "--format", "csv", "--output", "x.zip", "--annex"], 2, "--annex only applies"),
    (["--cohort", "{slug}"], 2, "Missing option '--format'"),
    (["--format", "json"], 2, "Missing option '--cohort'"),
])
def test_errors(app, args, code, message):
    slug = factories.CohortFactory().slug
    result = _invoke(app, *[a.format(slug=slug) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_unwritable_output(app, tmp_path):
    slug = factories.CohortFactory().slug
    result = _invoke(app, "--cohort", slug, "--format", "csv", "--output", str(tmp_path / "missing" / "r.zip"))
    assert result.exit_code != 0
    assert "r.zip" in result.output
