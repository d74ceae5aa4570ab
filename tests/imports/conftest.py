"""The shared sample forum spreadsheet (../shared/data, present in CI too) and builders of variants of it."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from tests import factories

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLE_XLSX = SHARED_DATA / "forum_cohort_sample.xlsx"
SAMPLE_CSV = SHARED_DATA / "forum_cohort_sample.csv"
EXPECTED_JSON = SHARED_DATA / "expected.json"
REFERENCE_DATE = dt.date(2025, 12, 31)  # expected.json's reference date; also "today" of the tests' imports

ENGLISH_HEADERS = [
    "Project ID", "Project name", "Sector", "Sub-sector", "Summary", "Stage", "Legal form", "Province", "Commune",
    "Full name", "Sex", "Birth date", "Role", "Lead", "Ownership %", "Phone", "Email", "Consent date",
]


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_xlsx() -> bytes:
    return SAMPLE_XLSX.read_bytes()


@pytest.fixture(scope="session")
def sample_csv() -> bytes:
    return SAMPLE_CSV.read_bytes()


@pytest.fixture(params=["xlsx", "csv"])
def sample(request) -> tuple[bytes, str]:
    """(data, filename) of the sample, once as XLSX and once as CSV."""
    path = SAMPLE_XLSX if request.param == "xlsx" else SAMPLE_CSV
    return path.read_bytes(), path.name


@pytest.fixture
def cohort():
    return factories.CohortFactory(slug="innov-impact-2025-safi")


@pytest.fixture
def staff():
    return factories.UserFactory(role="staff")


def sample_rows() -> list[list]:
    """The sample's sheet as lists of cell values, header first (spreadsheet row n = index n - 1)."""
    workbook = openpyxl.load_workbook(SAMPLE_XLSX, read_only=True)
    try:
        return [list(row) for row in workbook["Projets"].iter_rows(values_only=True)]
    finally:
        workbook.close()


def sample_csv_rows() -> list[list[str]]:
    text = SAMPLE_CSV.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")]


def xlsx_bytes(rows: list[list], title: str = "Projets", extra_sheets: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in row] for row in rows]
    )
    return buffer.getvalue().encode(encoding)


def row_of(rows: list[list], line: int) -> list:
    return rows[line - 1]
