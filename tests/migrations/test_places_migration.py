"""Migration 9a4c5d6e7f14 (issue 14): the spellings of one province become one, the report's "by province"
section then shows each province once, and the screen and the XLSX agree. Runs on the current backend
(SQLite, and PostgreSQL with TEST_DATABASE_URL). The downgrade puts every spelling back."""

import io
from contextlib import contextmanager

import sqlalchemy as sa
from flask import url_for
from flask_migrate import downgrade, upgrade
from lxml import html
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from tests.migrations.test_migrations import _db, scratch_app  # noqa: F401  (fixtures)
from tests.report_files.reading import sheets
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.portfolio import attention
from tracker.projects.models import Project

BEFORE = "8f3b4c5d6e03"
PLACES = [  # (province, commune) as typed over the years
    ("SAFI", "sebt gzoula "), ("Province de Safi", "Ayir"), ("إقليم آسفي", "جمعة سحيم"), (" safi ", None),
    ("Safi", "Safi"), ("Essaouira", "Tamanar"), ("Préfecture de Casablanca", None), ("Atlantis", "Ville Haute"),
    (None, None),
]


def _migrate(step, revision="head"):
    """Migrations on PostgreSQL wait for every lock the test's own session still holds: end it first."""
    db.session.remove()
    step(revision=revision)


def _projects() -> dict[str, tuple]:
    db.session.expire_all()
    return {p.code: (p.province, p.commune) for p in db.session.scalars(sa.select(Project).order_by(Project.code))}


def _report_section_and_xlsx(app, cohort_id) -> tuple[dict, dict]:
    manager = factories.UserFactory(role="manager")
    db.session.commit()
    client = login(app.test_client(), manager)
    page = client.get(f"/reports/cohort?cohort={cohort_id}")
    assert page.status_code == 200
    screen = {}
    for element in html.fromstring(page.data).xpath("//*[starts-with(@data-metric, 'portfolio.by_province.')]"):
        screen[element.get("data-metric").removeprefix("portfolio.by_province.")] = int(element.get("data-value"))
    with app.test_request_context():
        url = url_for("report_files.cohort_file", fmt="xlsx", cohort=cohort_id)
    download = client.get(url)
    assert download.status_code == 200
    # the sheets speak labels; their keys sheet says which row is which §12 key (issue 18)
    portfolio = sheets(load_workbook(io.BytesIO(download.data)))["portfolio"]
    xlsx = {key.removeprefix("portfolio.by_province."): row[1]
            for key, row in portfolio.rows.items() if key.startswith("portfolio.by_province.")}
    return screen, xlsx


@contextmanager
def _schema_of_then():
    """Writes on the schema before the migration: the portfolio's figures (`project_attention`, issue 20),
    which the app marks stale with every project it writes, did not exist yet."""
    sa.event.remove(Session, "after_flush", attention._after_flush)
    try:
        yield
    finally:
        attention.listen()


def test_provinces_are_normalised_and_the_report_counts_each_once(scratch_app):  # noqa: F811
    _migrate(upgrade, BEFORE)
    with _schema_of_then():
        cohort = factories.CohortFactory()
        cohort_id = cohort.id
        for n, (province, commune) in enumerate(PLACES, start=1):
            factories.ProjectFactory(cohort=cohort, code=f"P{n:02d}", province=province, commune=commune)
        db.session.commit()
    typed = _projects()

    _migrate(upgrade)
    assert _projects() == {
        "P01": ("Safi", "Sebt Gzoula"), "P02": ("Safi", "Ayir"), "P03": ("Safi", "Jamaat Shaim"),
        "P04": ("Safi", None), "P05": ("Safi", "Safi"), "P06": ("Essaouira", "Tamanar"),
        "P07": ("Casablanca", None), "P08": ("Atlantis", "Ville Haute"), "P09": (None, None),
    }
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "project")).all()
    assert len(events) == 5 and all(e.changes["migration"] == [None, "9a4c5d6e7f14"] for e in events)
    assert {tuple(e.changes["province"]) for e in events if "province" in e.changes} == {
        ("SAFI", "Safi"), ("Province de Safi", "Safi"), ("إقليم آسفي", "Safi"), (" safi ", "Safi"),
        ("Préfecture de Casablanca", "Casablanca")}

    screen, xlsx = _report_section_and_xlsx(scratch_app, cohort_id)
    expected = {"Safi": 5, "Essaouira": 1, "Casablanca": 1, "Atlantis": 1, "unknown": 1}
    assert screen == xlsx == expected

    _migrate(downgrade, BEFORE)
    assert _projects() == typed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "project")) == 0


def test_a_value_changed_after_the_upgrade_is_not_overwritten_by_the_downgrade(scratch_app):  # noqa: F811
    _migrate(upgrade, BEFORE)
    with _schema_of_then():
        project_id = factories.ProjectFactory(code="P01", province="SAFI", commune=None).id
        db.session.commit()
    _migrate(upgrade)
    db.session.execute(sa.update(Project).where(Project.id == project_id).values(province="Essaouira"))
    db.session.commit()
    _migrate(downgrade, BEFORE)
    assert _projects() == {"P01": ("Essaouira", None)}
