"""`flask report cohort`: the same figures in JSON, CSV and XLSX for the demo; errors and exit codes."""

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests import factories
from tracker.reports.cli import report_cli
from tracker.reports.exporters import SCALAR_SECTIONS

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


def _same(json_value, other) -> bool:
    """A JSON figure (int, "12.50" decimal string, float rate, null) equals a CSV string or XLSX cell."""
    if json_value is None:
        return other in ("", None)
    if isinstance(other, str):
        if isinstance(json_value, bool):
            return other == str(json_value).lower()
        if isinstance(json_value, float):
            return float(other) == json_value
        return other == str(json_value)
    if isinstance(json_value, str):
        return Decimal(json_value) == Decimal(str(other))
    if isinstance(json_value, float) and not isinstance(other, bool):
        # XLSX stores a double with 16 significant digits (Excel shows 15): equal to that precision
        return other == pytest.approx(json_value, rel=1e-15)
    return other == json_value


def _csv_files(path):
    with zipfile.ZipFile(path) as archive:
        files = {}
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf")
            files[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        return files


def test_demo_same_figures_in_json_csv_and_xlsx(app, demo, tmp_path):
    today = dt.date.today().isoformat()
    window = ["--cohort", DEMO_SLUG, "--from", "2025-01-01", "--to", today]
    result = _invoke(app, *window, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == ["filters", "portfolio", "people", "trainings", "mentoring", "milestones",
                            "indicators", "completeness"]
    assert report["filters"]["cohorts"] == [DEMO_SLUG] and report["portfolio"]["projects"] == 32

    assert _invoke(app, *window, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    assert _invoke(app, *window, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    files = _csv_files(tmp_path / "r.zip")
    wb = load_workbook(tmp_path / "r.xlsx")

    checked = 0
    for section in SCALAR_SECTIONS:
        expected = _flatten("", report[section], {})
        from_csv = dict(files[f"{section}.csv"][1:])
        from_xlsx = {row[0]: row[1] for row in wb[section].iter_rows(min_row=2, values_only=True)}
        assert list(from_csv) == list(expected) == list(from_xlsx), section
        for key, value in expected.items():
            assert _same(value, from_csv[key]), (section, key, value, from_csv[key])
            assert _same(value, from_xlsx[key]), (section, key, value, from_xlsx[key])
            checked += 1

    header = files["indicators.csv"][0]
    assert [c.value for c in wb["indicators"][1]] == header
    csv_rows = files["indicators.csv"][1:]
    xlsx_rows = list(wb["indicators"].iter_rows(min_row=2, values_only=True))
    assert len(report["indicators"]) == len(csv_rows) == len(xlsx_rows) > 0
    for ind, csv_row, xlsx_row in zip(report["indicators"], csv_rows, xlsx_rows, strict=True):
        expected = {k: v for k, v in ind.items() if k != "cells"}
        expected.update({f"cells.{c}": v for c, v in ind["cells"].items()})
        for key, value in expected.items():
            col = header.index(key)
            assert _same(value, csv_row[col]) and _same(value, xlsx_row[col]), (ind["code"], key)
            checked += 1

    comp_csv = files["completeness.csv"][1:]
    comp_xlsx = list(wb["completeness"].iter_rows(min_row=2, values_only=True))
    assert len(report["completeness"]) == len(comp_csv) == len(comp_xlsx) > 0
    for row, csv_row, xlsx_row in zip(report["completeness"], comp_csv, comp_xlsx, strict=True):
        assert csv_row == [str(v) for v in row.values()]
        assert list(xlsx_row) == list(row.values())

    cover = {row[0]: row[1] for row in wb["cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["cohorts"] == DEMO_SLUG and cover["include_submitted"] is False
    assert cover["reference_date"].date().isoformat() == today and "generated_at" in cover
    assert checked > 50


def test_include_submitted_is_announced_in_every_format(app, demo, tmp_path):
    args = ["--cohort", DEMO_SLUG, "--include-submitted"]
    assert json.loads(_invoke(app, *args, "--format", "json").stdout)["filters"]["include_submitted"] is True
    assert _invoke(app, *args, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    assert ["include_submitted", "true"] in _csv_files(tmp_path / "r.zip")["filters.csv"]
    assert _invoke(app, *args, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    cover = load_workbook(tmp_path / "r.xlsx")["cover"]
    assert ("include_submitted", True) in [r[:2] for r in cover.iter_rows(values_only=True)]


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
    factories.ProjectFactory(cohort=factories.CohortFactory(slug=evil), province="+212600000000")
    assert _invoke(app, "--cohort", evil, "--format", "csv", "--output", str(tmp_path / "r.zip")).exit_code == 0
    files = _csv_files(tmp_path / "r.zip")
    assert ["cohorts", "'" + evil] in files["filters.csv"]
    assert ["by_province.+212600000000", "1"] in files["portfolio.csv"]  # starts with "b": harmless
    assert _invoke(app, "--cohort", evil, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")).exit_code == 0
    cover = load_workbook(tmp_path / "r.xlsx")["cover"]
    assert ("cohorts", "'" + evil) in [r[:2] for r in cover.iter_rows(values_only=True)]
    assert all(not (isinstance(c, str) and c.startswith("=")) for r in cover.iter_rows(values_only=True) for c in r)


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
