"""Factories for milestones and evidence files, and small sample files of each accepted type built here
(fictional content only; nothing is read from disk)."""

import datetime as dt
import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

import factory
from flask import current_app

from tests.factories import Base, ProjectFactory
from tracker.milestones.models import Attachment, Milestone, MilestoneCategory, MilestoneStatus

# ---------------------------------------------------------------- sample files


def pdf_bytes(text: str = "Attestation fictive") -> bytes:
    body = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            + f"% {text}\n".encode("latin-1", "replace")
            + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return body


def png_bytes(colour: tuple[int, int, int] = (11, 93, 91)) -> bytes:
    """A valid 1×1 RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(colour))) + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    """A JFIF header and end marker: what the type check looks at."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _ooxml(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def content_types(*overrides: tuple[str, str], defaults: tuple[tuple[str, str], ...] = ()) -> str:
    """A [Content_Types].xml: the usual rels/xml defaults plus (extension, type) defaults and (part, type)
    overrides."""
    parts = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
             '<Default Extension="xml" ContentType="application/xml"/>']
    parts += [f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults]
    parts += [f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides]
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types">' + "".join(parts) + "</Types>")


XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def xlsx_bytes() -> bytes:
    return _ooxml({"[Content_Types].xml": content_types(("xl/workbook.xml", XLSX_MAIN)),
                   "_rels/.rels": "<Relationships/>", "xl/workbook.xml": "<workbook/>",
                   "xl/worksheets/sheet1.xml": "<worksheet/>"})


def docx_bytes() -> bytes:
    return _ooxml({"[Content_Types].xml": content_types(("word/document.xml", DOCX_MAIN)),
                   "_rels/.rels": "<Relationships/>", "word/document.xml": "<document/>"})


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 112


SAMPLES = {  # name → (bytes, stored extension, content type)
    "attestation.pdf": (pdf_bytes, "pdf", "application/pdf"),
    "photo.jpg": (jpeg_bytes, "jpg", "image/jpeg"),
    "photo.JPEG": (jpeg_bytes, "jpg", "image/jpeg"),
    "capture.png": (png_bytes, "png", "image/png"),
    "ventes.xlsx": (xlsx_bytes, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "statuts.docx": (docx_bytes, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


# ---------------------------------------------------------------- factories

class MilestoneFactory(Base):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Jalon fictif {n}")
    category = MilestoneCategory.FIRST_SALE
    planned_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=60))
    status = MilestoneStatus.PLANNED
    achieved_date = None


class AttachmentFactory(Base):
    """An evidence row whose file really exists under UPLOAD_DIR (pass `content=` to choose the bytes)."""

    class Meta:
        model = Attachment

    milestone = factory.SubFactory(MilestoneFactory)
    content = factory.LazyFunction(pdf_bytes)
    original_name = factory.Sequence(lambda n: f"preuve-{n}.pdf")
    content_type = "application/pdf"
    size_bytes = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    stored_path = factory.LazyFunction(lambda: f"evidence/test/{uuid.uuid4().hex}.pdf")

    @classmethod
    def _create(cls, model_class, *args, content=b"", **kwargs):
        target = Path(current_app.config["UPLOAD_DIR"]) / kwargs["stored_path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return super()._create(model_class, *args, **kwargs)
