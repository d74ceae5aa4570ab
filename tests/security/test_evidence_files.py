"""Issue 15, point 4: Office evidence files are recognised from [Content_Types].xml, files carrying code
are refused under any part name, and ZIP bombs are refused without being decompressed."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from tests.milestones.factories import DOCX_MAIN, XLSX_MAIN, _ooxml, content_types
from tracker.milestones import uploads

MACROS = "contient des macros"
BOMB = "sans proportion"
NOT_ACCEPTED = "n'est pas d'un type accepté"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
VBA_REL = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
           'Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
           'Target="media/image9.png"/></Relationships>')


def store(content: bytes, name: str):
    return uploads.store(FileStorage(stream=io.BytesIO(content), filename=name))


def refused(content: bytes, name: str) -> str:
    with pytest.raises(uploads.UploadRefused) as error:
        store(content, name)
    return str(error.value.message)


def real_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Ventes fictives"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_real_workbook_is_accepted(app):
    assert store(real_xlsx(), "ventes.xlsx").content_type == uploads.XLSX.content_type


def test_the_type_comes_from_the_content_types_not_the_part_names(app):
    # A document whose parts live under xl/ is still a document: its declared main part says so.
    odd = _ooxml({"[Content_Types].xml": content_types(("xl/main.xml", DOCX_MAIN)), "xl/main.xml": "<d/>"})
    assert store(odd, "statuts.docx").content_type == uploads.DOCX.content_type
    # Parts named like a workbook without the declaration are not a workbook.
    named_only = _ooxml({"[Content_Types].xml": content_types(), "xl/workbook.xml": "<w/>"})
    assert NOT_ACCEPTED in refused(named_only, "ventes.xlsx")
    both = _ooxml({"[Content_Types].xml": content_types(("a.xml", DOCX_MAIN), ("b.xml", XLSX_MAIN)),
                   "a.xml": "<d/>", "b.xml": "<w/>"})
    assert NOT_ACCEPTED in refused(both, "ventes.xlsx")


@pytest.mark.parametrize("parts", [
    # a VBA project under an innocent name, declared by an Override ...
    {"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN),
                                          ("xl/media/image9.png", "application/vnd.ms-office.vbaProject")),
     "xl/workbook.xml": "<w/>", "xl/media/image9.png": "x"},
    # ... or by a Default for its extension ...
    {"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN),
                                          defaults=(("dat", "application/vnd.ms-office.vbaProject"),)),
     "xl/workbook.xml": "<w/>", "xl/data.dat": "x"},
    # ... a macro-enabled main part renamed .xlsx ...
    {"[Content_Types].xml": content_types(("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")),
     "xl/workbook.xml": "<w/>"},
    # ... an Excel 4 macro sheet, an ActiveX control ...
    {"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN),
                                          ("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")),
     "xl/workbook.xml": "<w/>", "xl/macrosheets/sheet1.xml": "<m/>"},
    {"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN),
                                          ("xl/activeX/a.xml", "application/vnd.ms-office.activeX+xml")),
     "xl/workbook.xml": "<w/>", "xl/activeX/a.xml": "<a/>"},
    # ... a relationship to a VBA project whatever the part's declared type ...
    {"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN)), "xl/workbook.xml": "<w/>",
     "xl/_rels/workbook.xml.rels": VBA_REL, "xl/media/image9.png": "x"},
])
def test_office_files_carrying_code_are_refused_under_any_name(app, parts):
    assert MACROS in refused(_ooxml(parts), "ventes.xlsx")


def test_a_compound_file_part_is_refused_whatever_it_is_called(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types(("word/document.xml", DOCX_MAIN)))
        archive.writestr("word/document.xml", "<d/>")
        archive.writestr("word/media/logo.png", OLE2)
    assert MACROS in refused(buffer.getvalue(), "statuts.docx")


def bomb(size: int, *, parts: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types(("xl/workbook.xml", XLSX_MAIN)))
        archive.writestr("xl/workbook.xml", "<w/>")
        for n in range(parts):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", b"\x00" * size)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_without_being_decompressed(app, monkeypatch):
    data = bomb(50 * 1024 * 1024)  # 50 MiB of zeros in ~50 KiB: a ratio of about 1000
    assert len(data) < 100 * 1024
    opened = []
    original = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(
        getattr(name, "filename", name)) or original(self, name, *a, **k))
    assert BOMB in refused(data, "ventes.xlsx")
    assert opened == []  # refused from the directory alone


def test_a_declared_total_out_of_proportion_is_refused(app, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    assert BOMB in refused(bomb(1024 * 1024, parts=3), "ventes.xlsx")


def test_a_content_types_part_bigger_than_it_says_is_not_read_past_the_limit(app, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_XML_PART", 1000)
    padded = content_types(("xl/workbook.xml", XLSX_MAIN)).replace("<Types ", "<Types " + " " * 2000)
    assert BOMB in refused(_ooxml({"[Content_Types].xml": padded, "xl/workbook.xml": "<w/>"}), "ventes.xlsx")


def test_content_types_with_an_entity_bomb_is_not_expanded(app):
    lol = ('<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
           ']><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
           f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN}"/><Default Extension="b" '
           'ContentType="&b;"/></Types>')
    stored = store(_ooxml({"[Content_Types].xml": lol, "xl/workbook.xml": "<w/>"}), "ventes.xlsx")
    assert stored.content_type == uploads.XLSX.content_type
