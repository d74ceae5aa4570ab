"""The cohort report PDF: the figures of the §12 dict with the on-screen labels, page numbers, the
include-submitted notice, Arabic text that extracts as written, tags and bookmarks.

Text is read back with pypdf, and with poppler's pdftotext for Arabic. Arabic letters are set in Noto Naskh
Arabic 2.016, one glyph per letter form: Noto Sans Arabic 2.012 drew letters as a shared skeleton plus dot
glyphs, and since a PDF maps each glyph to one text, extracted words came out with other letters ("ققرير"
for "تقرير"). The rendering itself was looked at in PNGs (pdftoppm -r 60).
"""

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from tests import factories
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.core.formatting import figure
from tracker.indicators.models import IndicatorKind
from tracker.milestones.models import MilestoneStatus
from tracker.periods.models import Cell, ReportStatus
from tracker.projects.models import Sex
from tracker.reports.cli import report_cli
from tracker.reports.pdf import cohort_html, cohort_pdf, fmt, job_callouts, page_counter_css
from tracker.reports.services import cohort_report
from tracker.reports.tables import SCALAR_SECTIONS, report_tables

GENERATED = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
TO = dt.date(2026, 3, 31)
NOTICE_FR = "valeurs soumises qui ne sont pas encore approuvées"
DEMO_SLUG = "innov-impact-demo-safi"


def read_pdf(data: bytes) -> tuple[PdfReader, str]:
    """The reader and the text of every page, with no-break spaces as spaces and bidi isolates removed."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, _plain(text)


def _plain(text: str) -> str:
    return re.sub("[\u2068\u2069\u200e\u200f]", "", text.replace("\u202f", " ").replace("\u00a0", " "))


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            for descendant in font.get("/DescendantFonts") or []:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    names.add("embedded:" + str(font["/BaseFont"]))
    return names


@pytest.fixture
def cohort():
    """Two projects with known people, a milestone, and job values: approved, submitted and returned."""
    cohort = factories.CohortFactory(slug="cohorte-pdf", name="Cohorte PDF fictive", programme="Programme test")
    first = factories.ProjectFactory(cohort=cohort, name="Atelier Fictif", lead__sex=Sex.F,
                                     lead__birth_date=dt.date(2000, 1, 1))
    factories.MemberFactory(project=first, sex=Sex.M, birth_date=dt.date(1970, 6, 1))
    factories.MemberFactory(project=first, sex=None, birth_date=None)
    second = factories.ProjectFactory(cohort=cohort, name="Coopérative Fictive", lead__sex=Sex.M,
                                      lead__birth_date=dt.date(1980, 2, 2))
    MilestoneFactory(project=first, title="Premier client", planned_date=dt.date(2025, 9, 1),
                     status=MilestoneStatus.ACHIEVED, achieved_date=dt.date(2025, 8, 20))
    jobs = IndicatorFactory(code="jobs_created", name_fr="Emplois créés", name_ar="مناصب الشغل المحدثة",
                            kind=IndicatorKind.FLOW, disaggregated=True)
    TargetFactory(project=first, indicator=jobs, baseline_value=Decimal("0"), target_value=Decimal("20"))
    TargetFactory(project=second, indicator=jobs, baseline_value=Decimal("0"), target_value=Decimal("10"))
    approved = PeriodReportFactory(project=first, period_label="2025-T3", period_start=dt.date(2025, 7, 1),
                                   period_end=dt.date(2025, 9, 30), status=ReportStatus.APPROVED)
    for cell, value in ((Cell.WOMEN_YOUTH, "4"), (Cell.WOMEN_OTHER, "1"), (Cell.MEN_YOUTH, "2"),
                        (Cell.MEN_OTHER, "3"), (Cell.NOT_STATED, "1")):
        IndicatorValueFactory(report=approved, indicator=jobs, cell=cell, value=Decimal(value))
    submitted = PeriodReportFactory(project=second, period_label="2025-T4", period_start=dt.date(2025, 10, 1),
                                    period_end=dt.date(2025, 12, 31), status=ReportStatus.SUBMITTED)
    IndicatorValueFactory(report=submitted, indicator=jobs, cell=Cell.WOMEN_YOUTH, value=Decimal("7"))
    returned = PeriodReportFactory(project=second, period_label="2025-T3", period_start=dt.date(2025, 7, 1),
                                   period_end=dt.date(2025, 9, 30), status=ReportStatus.RETURNED)
    IndicatorValueFactory(report=returned, indicator=jobs, cell=Cell.MEN_OTHER, value=Decimal("50"))
    return cohort


def test_every_row_of_the_xlsx_sections_is_printed_with_its_label_and_value(app, cohort):
    report = cohort_report([cohort.id], None, TO)
    reader, text = read_pdf(cohort_pdf(report, "fr", GENERATED))
    lines = text.splitlines()
    position = 0
    with app.test_request_context(), force_locale("fr"):
        tables = report_tables(report)
        for section in SCALAR_SECTIONS:
            for row in tables[section].rows:
                shown = _plain(fmt(row.key.rsplit(".", 1)[-1], row.values[0].value))
                # rows are "label value", as on screen and in the XLSX; labels repeat, so read on in order
                found = next((i for i in range(position, len(lines)) if lines[i] == f"{_plain(row.label)} {shown}"),
                             None)
                assert found is not None, f"{row.key} = {shown!r} not printed after line {position}"
                position = found + 1
    # the same figures as the dict, as the reader sees them (and checked by hand for this cohort); no key
    assert report["people"]["members"] == 4 and "Membres des équipes 4\n" in text
    assert report["people"]["women"] == 1 and "\nFemmes 1\n" in text
    assert report["people"]["sex_not_stated"] == 1 and "Sexe non précisé 1\n" in text
    assert "\nProjets 2\n" in text and "Jalons atteints 1\n" in text
    assert "Cohorte Cohorte PDF fictive (cohorte-pdf)" in text and "Programme test" in text
    assert "Date de référence du rapport 31 mars 2026" in text
    local = GENERATED.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))  # shown in APP_TIMEZONE
    assert f"Généré le 15 janvier 2026, {local:%H:%M}" in text  # the long form of tracker/core/dates.py
    for key in ("sex_not_stated", "reference_date", "generated_at", "by_sector", "women_youth", "jobs_created"):
        assert key not in text


def test_indicators_jobs_and_completeness_tables(app, cohort):
    report = cohort_report([cohort.id], None, TO)
    jobs = report["indicators"][0]
    # official figures: only the approved report counts (4+1+2+3+1), not the submitted nor the returned one
    assert jobs["code"] == "jobs_created" and jobs["actual"] == Decimal("11") and jobs["target"] == Decimal("30")
    assert job_callouts(report) == [{"code": "jobs_created", "total": Decimal("11"), "women": Decimal("5"),
                                     "youth": Decimal("6")}]
    _, text = read_pdf(cohort_pdf(report, "fr", GENERATED))
    lines = text.splitlines()
    # name, then unit · kind · aggregation; then projects reporting, baseline, target, actual, progress 11/30
    assert "Emplois créés\nNombre · Flux (somme des périodes) · Somme des\nprojets\n1 0 30 11 36,7 %" in text
    assert "Emplois créés 4 1 2 3 1" in lines  # the five cells, §12 order
    assert "Emplois créés : 11 au total, dont 5 pour des femmes et 6 pour des jeunes." in text
    # the summary opens the report, with the same figures
    assert "Les projets ont créé 11 emplois, dont 45,5 % pour des femmes et 54,5 % pour des jeunes." in text
    for row in report["completeness"]:
        shown = " ".join(reversed(row["period"].split("-")))  # "2025-T1" reads "T1 2025" in French
        assert f"{shown} {row['owed']} {row['submitted']} {row['approved']}" in lines


def test_page_numbers_and_a4(app, cohort):
    report = cohort_report([cohort.id], None, TO)
    reader, text = read_pdf(cohort_pdf(report, "fr", GENERATED))
    pages = len(reader.pages)
    assert pages >= 1
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} / {pages}" in page.extract_text()
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_page_counter_is_css_with_the_page_counters(app):
    with app.test_request_context(), force_locale("fr"):
        assert page_counter_css() == '"Page " counter(page) " / " counter(pages)'


def test_include_submitted_notice_only_when_on(app, cohort):
    official = cohort_report([cohort.id], None, TO)
    with_submitted = cohort_report([cohort.id], None, TO, include_submitted=True)
    assert with_submitted["indicators"][0]["actual"] == Decimal("18")  # 11 approved + 7 submitted
    _, text_off = read_pdf(cohort_pdf(official, "fr", GENERATED))
    _, text_on = read_pdf(cohort_pdf(with_submitted, "fr", GENERATED))
    flat_off, flat_on = text_off.replace("\n", " "), text_on.replace("\n", " ")
    assert NOTICE_FR not in flat_off and "Valeurs soumises incluses Non" in text_off
    assert NOTICE_FR in flat_on and "Valeurs soumises incluses Oui" in text_on
    assert "projets\n2 0 30 18 60,0 %" in text_on  # two projects reporting, 11 + 7 of 30


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,  # noqa: S607
                          check=True).stdout.decode("utf-8")


def test_arabic_text_extracts_as_written(app, cohort):
    """pdftotext and pypdf give back the Arabic title and section names letter for letter (issue 18)."""
    report = cohort_report([cohort.id], None, TO)
    data = cohort_pdf(report, "ar", GENERATED)
    with app.test_request_context(), force_locale("ar"):
        title = _("Rapport de cohorte")
        sections = [_(k) for k in ("Filtres", "En bref", "Portefeuille", "Personnes", "Formations", "Accompagnement",
                                   "Jalons", "Indicateurs", "Complétude des données", "Tendances des indicateurs")]
    assert title == "تقرير الفوج" and "المؤشرات" in sections
    extracted = [_plain(pdftotext(data)), read_pdf(data)[1]]
    for text in extracted:
        assert title in text
        for name in sections[1:]:
            assert name in text, name
        assert "مناصب الشغل المحدثة" in text  # the indicator's Arabic name
        assert "ققرير" not in text


def test_pdf_is_tagged_with_bookmarks_for_sections_and_projects(app, cohort):
    from tracker.reports.services import cohort_report_and_rows

    report, rows = cohort_report_and_rows([cohort.id], None, TO)
    reader, text = read_pdf(cohort_pdf(report, "fr", GENERATED, rows=rows))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Rapport de cohorte", "Annexe : fiches projets"]
    sections, projects = [item for item in outline if isinstance(item, list)]
    assert [s.title for s in sections][:3] == ["En bref", "1. Portefeuille", "2. Personnes"]
    assert [s.title for s in sections][-1] == "8. Tendances des indicateurs"
    assert sorted(p.title for p in projects) == sorted(f"{p.code} {p.name}" for p in cohort.projects)


def test_arabic_pdf_is_right_to_left_with_the_embedded_arabic_font(app, cohort):
    report = cohort_report([cohort.id], None, TO)
    html = cohort_html(report, "ar", GENERATED)
    with app.test_request_context(), force_locale("ar"):
        heading = _("Indicateurs")
    assert heading == "المؤشرات"  # translated in the catalogue
    assert '<html lang="ar" dir="rtl">' in html and f"6. {heading}</h2>" in html
    assert "مناصب الشغل المحدثة" in html  # the indicator's Arabic name

    reader, text = read_pdf(cohort_pdf(report, "ar", GENERATED))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    names = font_names(reader)
    assert any("Mowakaba-Arabic" in n and n.startswith("embedded:") for n in names), names  # Naskh: Arabic
    assert any("Noto" in n and "Sans" in n and n.startswith("embedded:") for n in names), names  # the rest
    arabic_letters = [c for c in text if "\u0621" <= c <= "\u064a"]
    assert len(arabic_letters) > 100  # Arabic text, not boxes (a missing glyph would extract as nothing)
    with app.test_request_context(), force_locale("ar"):
        counter = _("Page %(page)s / %(pages)s")
    assert counter.split("%")[0].strip() in html  # the Arabic page counter, drawn by @page
    footer = reader.pages[0].extract_text().strip().splitlines()[-1]  # extracted in visual (RTL) order
    assert sorted(re.findall(r"\d+", footer)) == sorted(["1", str(len(reader.pages))]), footer
    assert "cohorte-pdf" in text and "2026" in text  # Latin slug and Western digits kept in order


def test_french_pdf_uses_the_french_html(app, cohort):
    html = cohort_html(cohort_report([cohort.id], None, TO), "fr", GENERATED)
    assert '<html lang="fr" dir="ltr">' in html
    assert 'href="vendor/noto-arabic/font-pdf.css"' in html  # the same fonts for every language


def test_cli_writes_the_demo_pdf(app, runner, tmp_path):
    assert runner.invoke(args=["demo", "load", "--password", "x-long-password"]).exit_code == 0
    target = tmp_path / "demo.pdf"
    result = app.test_cli_runner().invoke(report_cli, ["cohort", "--cohort", DEMO_SLUG, "--to", TO.isoformat(),
                                                       "--format", "pdf", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output
    reader, text = read_pdf(target.read_bytes())
    assert len(reader.pages) >= 2 and f"Page 1 / {len(reader.pages)}" in text
    from tracker.cohorts.services import get_by_slug

    report = cohort_report([get_by_slug(DEMO_SLUG).id], None, TO)
    assert f"({DEMO_SLUG})" in text
    assert f"\nProjets {report['portfolio']['projects']}\n" in text
    assert f"\nFemmes {report['people']['women']}\n" in text
    assert f"Membres des équipes {report['people']['members']}\n" in text
    with app.test_request_context(), force_locale("fr"):
        total = _plain(figure(report["indicators"][0]["actual"], report["indicators"][0]["unit"]))
    assert f"Emplois créés : {total} au total" in text and report["indicators"][0]["unit"] == "count"


def test_cli_pdf_in_arabic(app, tmp_path):
    slug = factories.CohortFactory().slug
    target = tmp_path / "ar.pdf"
    result = app.test_cli_runner().invoke(report_cli, ["cohort", "--cohort", slug, "--format", "pdf",
                                                       "--output", str(target), "--locale", "ar"])
    assert result.exit_code == 0, result.output
    reader, _text = read_pdf(target.read_bytes())
    assert reader.trailer["/Root"]["/Lang"] == "ar"


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://example.org/style.css", "../../config.py"])
def test_weasyprint_reads_nothing_outside_the_static_folder(app, url):
    from weasyprint.urls import FatalURLFetchingError

    from tracker.reports.pdf import html_to_pdf

    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(f'<html><head><link rel="stylesheet" href="{url}"></head><body>x</body></html>')


def test_text_from_the_database_is_printed_as_text(app):
    cohort = factories.CohortFactory(name='Cohorte <img src="http://example.org/x.png"> & <b>co</b>')
    _, text = read_pdf(cohort_pdf(cohort_report([cohort.id], None, TO), "fr", GENERATED))
    assert 'Cohorte <img src="http://example.org/x.png"> & <b>co</b>' in text
