"""The file checks of tracker/milestones/uploads.py, without HTTP."""

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from tests.milestones.factories import (
    SAMPLES,
    _ooxml,
    docx_bytes,
    elf_bytes,
    exe_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
)
from tracker.milestones import uploads

DAY = dt.date(2025, 3, 9)


def upload(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def leftovers(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob(".upload-*")]


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\system32\\rapport.pdf", "rapport.pdf"),
    ("C:\\Users\\hind\\Bureau\\facture.pdf", "facture.pdf"),
    ("/etc/", "document"),
    ("تقرير.pdf", "تقرير.pdf"),
    ("فاتورة البيع الأولى.jpg", "فاتورة البيع الأولى.jpg"),
    ("rapport\x00\x1b[31m.pdf", "rapport[31m.pdf"),
    ("facture\u202efdp.exe", "facturefdp.exe"),  # a right-to-left override hiding ".exe"
    ("  ..caché.pdf. ", "caché.pdf"),
    (".pdf", "document.pdf"),
    ('a<b>c:"d"|e?*.pdf', "a_b_c__d__e__.pdf"),
    ("devis   du\tfournisseur.xlsx", "devis du fournisseur.xlsx"),
    ("", "document"),
    (None, "document"),
])
def test_clean_name(raw, clean):
    assert uploads.clean_name(raw) == clean


def test_clean_name_keeps_the_extension_within_255_characters():
    name = uploads.clean_name("ت" * 400 + ".docx")
    assert len(name) == 255 and name.endswith("ت.docx")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_accepted_type_is_stored_under_evidence_year_month(app, name):
    build, ext, content_type = SAMPLES[name]
    content = build()
    stored = uploads.store(upload(content, name), DAY)
    assert stored.stored_path.startswith("evidence/2025/03/") and stored.stored_path.endswith(f".{ext}")
    assert name.split(".")[0] not in stored.stored_path  # never the user's name on disk
    assert (stored.original_name, stored.content_type, stored.size_bytes) == (name, content_type, len(content))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert (Path(app.config["UPLOAD_DIR"]) / stored.stored_path).read_bytes() == content
    assert leftovers(app) == []


@pytest.mark.parametrize("content, name, message", [
    (elf_bytes(), "rapport.pdf", "n'est pas d'un type accepté"),  # a renamed executable
    (exe_bytes(), "rapport.pdf", "n'est pas d'un type accepté"),
    (exe_bytes(), "setup.exe", "n'est pas d'un type accepté"),
    (b"<html><script>alert(1)</script></html>", "page.pdf", "n'est pas d'un type accepté"),
    (png_bytes(), "rapport.pdf", "est un fichier PNG"),  # content and extension disagree
    (pdf_bytes(), "photo.png", "est un fichier PDF"),
    (xlsx_bytes(), "statuts.docx", "est un fichier XLSX"),
    (docx_bytes(), "document", "est un fichier DOCX"),  # no extension at all
    (_ooxml({"hello.txt": "x"}), "archive.docx", "n'est pas d'un type accepté"),  # a plain ZIP
    (_ooxml({"[Content_Types].xml": "<Types/>", "word/document.xml": "<d/>", "word/vbaProject.bin": "x"}),
     "macro.docx", "n'est pas d'un type accepté"),  # no main part declared
    (b"PK\x03\x04 broken zip", "ventes.xlsx", "n'est pas d'un type accepté"),
    (b"", "vide.pdf", "est vide"),
])
def test_refused_files_leave_nothing_on_disk(app, content, name, message):
    before = set(Path(app.config["UPLOAD_DIR"]).rglob("*"))
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.store(upload(content, name), DAY)
    assert message in str(refused.value.message)
    assert set(Path(app.config["UPLOAD_DIR"]).rglob("*")) - before <= {
        p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_dir()}


def test_a_file_over_the_limit_raises_413_and_leaves_nothing(app):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    try:
        with pytest.raises(RequestEntityTooLarge) as too_large:
            uploads.store(upload(pdf_bytes() + b"0" * 1000, "gros.pdf"), DAY)
        exactly = uploads.store(upload(b"%PDF-" + b"0" * 995, "juste.pdf"), DAY)
    finally:
        del app.config["EVIDENCE_MAX_BYTES"]
    assert too_large.value.code == 413 and too_large.value.file_name == "gros.pdf"
    assert exactly.size_bytes == 1000
    assert leftovers(app) == []


def test_the_default_limit_is_10_mib(app):
    assert uploads.max_bytes() == 10 * 1024 * 1024 and uploads.max_megabytes() == 10


@pytest.mark.parametrize("stored_path", ["../outside.pdf", "evidence/../../outside.pdf", "/etc/passwd", "", None, "."])
def test_absolute_path_never_leaves_the_upload_folder(app, stored_path):
    assert uploads.absolute_path(stored_path) is None


def test_remove_ignores_missing_files_and_paths_outside(app, tmp_path):
    outside = tmp_path / "keep.pdf"
    outside.write_bytes(b"x")
    stored = uploads.store(upload(pdf_bytes(), "a.pdf"), DAY)
    uploads.remove([stored.stored_path, "evidence/2025/03/missing.pdf", str(outside)])
    assert uploads.absolute_path(stored.stored_path).exists() is False
    assert outside.exists()
