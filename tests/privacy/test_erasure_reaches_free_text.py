"""Issue 15 point 7, acceptance: a member whose name (typed in Arabic, then in Latin letters) and phone are
quoted in every free-text place is erased; then no page a manager or an admin can reach, and no export
(XLSX, CSV, PDF text, JSON, IATI, the audit viewer, the evidence download name), holds either, and the
report's figures are the same.

The pages are found by following every link from the home page (and from the pages quoting the member),
as each role, so a page added later is searched too.
"""

import datetime as dt
import html
import io
import re
import zipfile
from collections import deque
from decimal import Decimal
from urllib.parse import urlsplit

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tests.indicators.factories import IndicatorFactory
from tests.milestones.factories import AttachmentFactory, MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.mentoring.models import MentoringSession
from tracker.notifications.models import Notification
from tracker.periods.models import ReportStatus
from tracker.projects.models import Member
from tracker.reports.services import report_json
from tracker.trainings.models import Training

NAME, NAME_AR = "Hind Zerhouni", "هند الزرهوني"
# What must not be found anywhere afterwards, compared case-insensitively (spaces and dots as typed).
NEEDLES = ("zerhouni", "zérhouni", "الزرهوني", "612345678", "12 34 56 78", "12.34.56.78", "612 345 678",
           "hind.z@example.org")
MAX_PAGES = 700
MAX_VARIANTS_PER_PATH = 3
SKIPPED = ("/logout", "/static/", "/language")


def _quote_everywhere(actors, staff):
    """The member, created and renamed through the forms (so the audit trail quotes both spellings), and
    each free-text place quoting them in another spelling or phone format."""
    project = actors.project
    created = staff.post(f"/projects/{project.id}/members/new", data={
        "full_name": NAME_AR, "sex": "F", "role": "co_founder", "consent_date": "2025-01-10",
        "phone": "06 12 34 56 78", "email": "hind.z@example.org",
        "consent_purpose": "Suivi du projet par le programme d'incubation"})
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    member = db.session.scalar(sa.select(Member).where(Member.full_name == NAME_AR))
    renamed = staff.post(f"/projects/{project.id}/members/{member.id}/edit", data={
        "full_name": NAME, "sex": "F", "role": "co_founder", "consent_date": "2025-01-10",
        "phone": "+212612345678", "email": "hind.z@example.org", "version": str(member.version),
        "consent_purpose": "Suivi du projet par le programme d'incubation"})
    assert renamed.status_code == 302, renamed.get_data(as_text=True)[:300]

    logged = staff.post("/sessions/new", data={
        "project_id": str(project.id), "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "duration_minutes": "45", "mode": "phone", "topics": f"Suivi de {NAME.upper()}",
        "shared_summary": "hind  zerhouni a rappelé du 06.12.34.56.78.",
        "staff_notes": f"Zerhouni Hind ({NAME_AR}) joignable au +212 6 12 34 56 78.",
        "items-0-description": "Envoyer le devis à Hînd Zerhouni (0612345678)", "items-0-owner_kind": "project"})
    assert logged.status_code == 302, logged.get_data(as_text=True)[:300]

    milestone = MilestoneFactory(project=project, title=f"Contrat signé par {NAME}",
                                 evidence_note="Reçu de HIND ZERHOUNI, tél. 00212 612 345 678",
                                 planned_date=dt.date.today() - dt.timedelta(days=10))
    AttachmentFactory(milestone=milestone, original_name=f"contrat {NAME}.pdf")
    indicator = IndicatorFactory()
    report = PeriodReportFactory(project=project, status=ReportStatus.APPROVED,
                                 highlights=f"{NAME} a signé deux contrats.",
                                 difficulties=f"{NAME_AR} cherche un local.",
                                 support_needed="Mise en relation pour hind zerhouni",
                                 review_comment="Vérifié avec Hind Zerhouni au 06 12 34 56 78")
    IndicatorValueFactory(report=report, indicator=indicator, value=Decimal(3),
                          comment="Chiffre donné par Hind Zerhouni")
    project.summary = f"Projet porté par {NAME} ({NAME_AR})."
    db.session.add(Training(cohort_id=actors.cohort.id, title="Atelier vente", topic="marketing",
                            date=dt.date.today() - dt.timedelta(days=5), duration_hours=Decimal(3),
                            mode="in_person", description=f"Témoignage de {NAME}."))
    db.session.commit()
    return member, milestone, report


def _text_of(response) -> str:
    mimetype = response.mimetype or ""
    data = response.data
    if "spreadsheetml" in mimetype:
        book = load_workbook(io.BytesIO(data), read_only=True)
        return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                        for v in row if v is not None)
    if mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    if mimetype == "application/pdf":
        try:
            return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        except PdfReadError:  # an evidence file of the factories: a PDF header, not a document
            return data.decode("latin-1")
    return html.unescape(response.get_data(as_text=True))


def _found(text: str) -> list[str]:
    folded = " ".join(text.lower().split())
    return [needle for needle in NEEDLES if needle in folded]


def _links(page: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"]+)"', page):
        url = html.unescape(href).split("#")[0]
        if url.startswith("/") and not url.startswith("//") and not url.startswith(SKIPPED):
            out.append(url)
    return out


def _crawl(client, seeds) -> dict[str, list[str]]:
    """Every page reachable from `seeds` by GET links (a few query variants per path): {url: needles}."""
    queue, seen, variants, hits = deque(seeds), set(), {}, {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or variants.get(path, 0) >= MAX_VARIANTS_PER_PATH:
            continue
        seen.add(url)
        variants[path] = variants.get(path, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, url
        disposition = response.headers.get("Content-Disposition", "")
        found = _found(_text_of(response) + " " + disposition) if response.status_code == 200 else []
        if found:
            hits[url] = found
        if response.mimetype == "text/html":
            queue.extend(_links(response.get_data(as_text=True)))
    assert len(seen) > 40  # the crawl really went through the app
    return hits


def test_an_erased_member_is_found_nowhere(actors, login_as):
    staff, manager, admin = login_as("staff"), login_as("manager"), login_as("admin")
    member, milestone, report = _quote_everywhere(actors, staff)
    cohort = actors.cohort
    session = db.session.scalar(sa.select(MentoringSession).where(MentoringSession.project_id == actors.project.id))
    pages = [f"/projects/{actors.project.id}", f"/sessions/{session.id}", f"/milestones/{milestone.id}",
             f"/period-reports/{report.id}/review",
             f"/period-reports/projects/{actors.project.id}/{report.period_label}"]
    exports = [f"/reports/cohort.{fmt}?cohort={cohort.id}" for fmt in ("xlsx", "csv", "pdf", "json")] + [
        f"/reports/iati/{cohort.id}.xml", f"/projects/{actors.project.id}/one-pager.pdf",
        f"/milestones/evidence/{milestone.attachments[0].id}"]
    # The quotes are there before: the search below would find them.
    assert _found(_text_of(manager.get(pages[1]))) and _found(_text_of(manager.get(exports[0])))
    figures = report_json([cohort.id], None, None)
    # The holder was told of the action item: the notice copies its text.
    assert [n for n in db.session.scalars(sa.select(Notification)) if _found(str(n.params))]

    response = admin.post(f"/admin/privacy/members/{member.id}/erase",
                          data={"reason": "Demande écrite de la personne", "confirmation": str(member.id)},
                          follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    for place in ("1 séance de mentorat", "1 action à mener", "1 jalon", "1 nom de pièce justificative",
                  "1 rapport de période", "1 commentaire d'indicateur", "1 fiche de projet", "1 formation",
                  "1 notification", "événements du journal"):
        assert place in page, place

    assert _crawl(manager, ["/", *pages, *exports]) == {}
    assert _crawl(admin, ["/", "/admin/audit/", f"/admin/privacy/members/{member.id}",
                          f"/admin/privacy/members/{member.id}/export.json", *pages]) == {}
    remaining = [e.id for e in db.session.scalars(sa.select(AuditEvent)) if _found(str(e.changes))]
    assert remaining == []
    assert [n.id for n in db.session.scalars(sa.select(Notification)) if _found(str(n.params))] == []
    assert report_json([cohort.id], None, None) == figures
