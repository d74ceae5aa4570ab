"""`flask import projects FILE --cohort SLUG [--dry-run] [--skip-invalid]`: exit codes, messages, one commit."""

import io

import openpyxl
import pytest
import sqlalchemy as sa

from tests.imports.conftest import SAMPLE_CSV, SAMPLE_XLSX
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.projects.models import Member, Project


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Project, Member, AuditEvent))


def run(runner, path, *options, slug="innov-impact-2025-safi"):
    return runner.invoke(args=["import", "projects", str(path), "--cohort", slug, *options])


def test_errors_stop_the_import_and_every_row_is_printed(runner, cohort, expected):
    result = run(runner, SAMPLE_XLSX)
    assert result.exit_code == 1, result.output
    for error in expected["errors"]:
        rows = ", ".join(str(n) for n in error["rows"])
        assert f"row{'s' if len(error['rows']) > 1 else ''} {rows}" in result.output
        assert f"[{error['code']}]" in result.output
    assert "rien n'a été importé" in result.output and "Traceback" not in result.output
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("path", [SAMPLE_XLSX, SAMPLE_CSV], ids=["xlsx", "csv"])
def test_skip_invalid_imports_the_valid_rows_and_commits(runner, cohort, path):
    result = run(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    db.session.rollback()  # the command committed: its rows survive a rollback of the session
    assert counts() == (30, 71, 1)
    assert "projects         30        0          0         2" in result.output
    assert "members          71        0          0         9" in result.output
    assert "Writing projects" in result.output

    again = run(runner, path, "--skip-invalid")
    assert again.exit_code == 0
    assert "projects          0        0         30         2" in again.output
    assert counts() == (30, 71, 2)


def test_dry_run_writes_nothing(runner, cohort):
    stopped = run(runner, SAMPLE_XLSX, "--dry-run")
    would = run(runner, SAMPLE_XLSX, "--dry-run", "--skip-invalid")
    assert stopped.exit_code == 1 and "nothing would be imported" in stopped.output
    assert would.exit_code == 0 and "Dry run: nothing was written." in would.output
    assert "projects         30" in would.output
    assert counts() == (0, 0, 0)


def test_rejected_rows_can_be_written_to_a_file(runner, cohort, tmp_path, expected):
    output = tmp_path / "rejets.xlsx"
    result = run(runner, SAMPLE_CSV, "--skip-invalid", "--rejected-output", str(output))
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(io.BytesIO(output.read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + len(expected["not_imported_rows"]) and rows[0][-1] == "Erreur"


def test_unknown_cohort(runner, cohort):
    result = run(runner, SAMPLE_XLSX, slug="no-such-cohort")
    assert result.exit_code == 1 and "unknown cohort 'no-such-cohort'" in result.output


def test_missing_file(runner, cohort, tmp_path):
    result = run(runner, tmp_path / "absent.xlsx")
    assert result.exit_code == 1 and "cannot read" in result.output


@pytest.mark.parametrize("content, words", [
    (b"", "vide"),
    (b"%PDF-1.7\n\x00\x00", "pas un tableur"),
    ("N° projet;Nom complet\r\nP01;Salma Idrissi\r\n".encode(), "Colonnes obligatoires absentes"),
])
def test_bad_files_exit_1_without_a_traceback(runner, cohort, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run(runner, path, "--skip-invalid")
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert counts() == (0, 0, 0)


def test_too_big_a_file(runner, cohort, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    result = run(runner, SAMPLE_XLSX)
    assert result.exit_code == 1 and "more than the" in result.output
