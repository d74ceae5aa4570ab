"""Reading files into rows: formats, sheets, encodings and the files that must be refused."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from tests.imports.conftest import csv_bytes, sample_csv_rows, sample_rows, xlsx_bytes
from tracker.imports import reader
from tracker.imports.reader import ImportFileError, decode_text, implausibility, read_sheet

HEADER = ["N° projet", "Nom du projet", "Secteur", "Nom complet", "Date de consentement"]
ROW = ["P01", "Projet", "Agriculture", "Salma Idrissi", "01/06/2025"]


def test_sample_xlsx_keeps_row_numbers_and_cell_types(sample_xlsx):
    sheet = read_sheet(sample_xlsx, "forum_cohort_sample.xlsx")
    assert sheet.format == "xlsx" and sheet.sheet_name == "Projets"
    assert [r.line for r in sheet.rows] == list(range(2, 82))
    first = sheet.rows[0].values
    assert first[0] == "P01" and first[11] == dt.date(1977, 1, 9)  # a real date cell
    assert first[15] == 212728369825  # a phone number typed as a number
    assert sheet.rows[71].values[14] == 33.33  # row 73: a share as a number cell


def test_sample_csv_is_utf8_with_bom_and_semicolons(sample_csv):
    sheet = read_sheet(sample_csv, "forum_cohort_sample.csv")
    assert (sheet.format, sheet.encoding, sheet.delimiter) == ("csv", "utf-8", ";")
    assert sheet.headers[0] == "N° projet"  # the BOM is not part of the first header
    assert [r.line for r in sheet.rows] == list(range(2, 82))
    assert sheet.rows[61].values[9] == "خديجة العمراني"  # row 63, Arabic script intact
    assert sheet.rows[1].values[11] is None  # an empty cell is None, not ""


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_sniffed(delimiter):
    rows = [HEADER, ["P01", "Projet, avec virgule", "Agriculture", "Salma Idrissi", "01/06/2025"]]
    sheet = read_sheet(csv_bytes(rows, delimiter=delimiter, encoding="utf-8"), "f.csv")
    assert sheet.delimiter == delimiter
    assert sheet.rows[0].values[1] == "Projet, avec virgule"


def test_utf16_csv_with_bom():
    sheet = read_sheet(csv_bytes([HEADER, ROW], delimiter="\t", encoding="utf-16"), "f.txt")
    assert sheet.encoding == "utf-16" and sheet.rows[0].values == ROW


def test_windows_1252_csv_is_detected():
    rows = [HEADER + ["Sous-secteur"], ["P01", "Crèche Les Goélands", "Formation et services", "Éric Bénard",
                                        "01/06/2025", "Élevage œufs"]]
    sheet = read_sheet(csv_bytes(rows, encoding="cp1252"), "f.csv")
    assert sheet.encoding == "cp1252"
    assert sheet.rows[0].values[1] == "Crèche Les Goélands" and sheet.rows[0].values[5] == "Élevage œufs"


def test_windows_1256_csv_is_detected():
    rows = [HEADER, ["P25", "تعاونية نسيم البحر", "Textile", "خديجة العمراني", "15/06/2025"],
            ["P26", "Poterie Bleue de Safi", "Artisanat", "Siham Idrissi", "14/06/2025"]]
    sheet = read_sheet(csv_bytes(rows, encoding="cp1256"), "f.csv")
    assert sheet.encoding == "cp1256"
    assert sheet.rows[0].values[1] == "تعاونية نسيم البحر" and sheet.rows[0].values[3] == "خديجة العمراني"


def test_an_encoding_that_is_neither_french_nor_arabic_is_refused():
    text = "N° projet;Nom complet\nP01;Ζωή Παπαδοπούλου Αλεξάνδρα\n"  # Greek, Windows-1253
    with pytest.raises(ImportFileError) as error:
        decode_text(text.encode("cp1253"))
    assert "UTF-8" in str(error.value.message)


def test_implausibility_scores():
    assert implausibility("Crèche Les Goélands, œufs, Élevage") == 0
    assert implausibility("تعاونية نسيم البحر") == 0
    assert implausibility("Crèche ةlevage") > 0  # French capital É read as Windows-1256
    assert implausibility("ÊÚÇæäíÉ äÓíã") > 0  # Arabic read as Windows-1252


def test_sheet_named_projects_wins_over_the_first_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["unrelated"])
    projects = workbook.create_sheet("Projects")
    projects.append(HEADER)
    projects.append(ROW)
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = read_sheet(buffer.getvalue(), "f.xlsx")
    assert sheet.sheet_name == "Projects" and sheet.rows[0].values == ROW


def test_first_sheet_when_none_is_named_projets():
    sheet = read_sheet(xlsx_bytes([HEADER, ROW], title="Feuil1", extra_sheets=("Autre",)), "f.xlsx")
    assert sheet.sheet_name == "Feuil1"


def test_blank_rows_are_skipped_but_keep_their_numbers():
    sheet = read_sheet(xlsx_bytes([HEADER, ROW, [None] * 5, ["  "] * 5, ROW]), "f.xlsx")
    assert [r.line for r in sheet.rows] == [2, 5]


def test_percentage_cells_read_as_typed():
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER + ["Part du capital (%)"])
    workbook.active.append(ROW + [0.6])
    workbook.active["F2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_sheet(buffer.getvalue(), "f.xlsx").rows[0].values[5] == "60%"


def test_csv_and_xlsx_samples_hold_the_same_cells():
    xlsx, csv_rows = sample_rows(), sample_csv_rows()
    assert len(xlsx) == len(csv_rows) == 81
    assert [str(v).strip() for v in xlsx[0]] == [v.strip() for v in csv_rows[0]]


def _formula_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER + ["Part du capital (%)"])
    workbook.active.append(ROW + ["=10*6"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip_of(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<xml/>")
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "vide"),
    "blank": (b" \r\n \r\n", "vide"),
    "only headers xlsx": (xlsx_bytes([HEADER]), "que l'en-tête"),
    "only headers csv": (csv_bytes([HEADER]), "que l'en-tête"),
    "png image": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "pas un tableur"),
    "word document (a zip)": (_zip_of("word/document.xml"), "pas un tableur"),
    "damaged zip": (b"PK\x03\x04" + b"garbage" * 20, "pas un tableur"),
    "plain text": ("# Notes du forum\nÀ relire avant l'import.\n".encode(), "pas un tableur"),
    "excel 97 xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls"),
    "formulas": (_formula_workbook(), "formules (cellule F2)"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_refused_with_a_message(name):
    data, words = BAD_FILES[name]
    with pytest.raises(ImportFileError) as error:
        read_sheet(data, "fichier")
    assert words in str(error.value.message)


def test_too_big_a_file_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    with pytest.raises(ImportFileError) as error:
        read_sheet(csv_bytes([HEADER, ROW]) + b" " * (1024 * 1024), "f.csv")
    assert "1 Mo" in str(error.value.message)


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ImportFileError) as error:
        read_sheet(xlsx_bytes([HEADER, ROW]), "f.xlsx")
    assert "décompressé" in str(error.value.message)


def test_a_text_cell_starting_with_equals_is_not_a_formula():
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    cell = workbook.active.cell(row=2, column=2, value="=Projet")
    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_sheet(buffer.getvalue(), "f.xlsx").rows[0].values[1] == "=Projet"
