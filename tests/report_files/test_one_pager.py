"""The holder's one-pager PDF: who may download it, and what it shows (profile, team, milestones, progress)."""

import datetime as dt
from decimal import Decimal

import pytest
from flask import url_for

from tests import factories
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.report_files.test_pdf import font_names, read_pdf
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.periods.models import ReportStatus
from tracker.projects.models import Sex
from tracker.reports.pdf import one_pager_context, one_pager_pdf


@pytest.fixture
def project(actors):
    """The holder's project: lead woman aged 25, a man aged 55, a member of unknown sex and age; two
    milestones (one late); one target with an approved and a submitted value (only the first counts)."""
    p = actors.project
    p.summary = "Transformation fictive de figues de barbarie."
    lead = p.members[0]
    lead.sex, lead.birth_date = Sex.F, dt.date.today().replace(year=dt.date.today().year - 25, day=1)
    factories.MemberFactory(project=p, sex=Sex.M, birth_date=dt.date(1970, 1, 1))
    factories.MemberFactory(project=p, sex=None, birth_date=None)
    MilestoneFactory(project=p, title="Obtenir l'agrément sanitaire", category=MilestoneCategory.CERTIFICATION,
                     planned_date=dt.date.today() - dt.timedelta(days=10), status=MilestoneStatus.IN_PROGRESS)
    MilestoneFactory(project=p, title="Ouvrir un point de vente", planned_date=dt.date(2025, 5, 1),
                     status=MilestoneStatus.ACHIEVED, achieved_date=dt.date(2025, 4, 20))
    indicator = IndicatorFactory(name_fr="Clients fictifs", name_ar="زبائن تجريبيون")
    TargetFactory(project=p, indicator=indicator, baseline_value=Decimal("2"), target_value=Decimal("12"))
    approved = PeriodReportFactory(project=p, status=ReportStatus.APPROVED, period_end=dt.date(2025, 3, 31))
    IndicatorValueFactory(report=approved, indicator=indicator, value=Decimal("6"))
    submitted = PeriodReportFactory(project=p, status=ReportStatus.SUBMITTED, period_label="2025-T2",
                                    period_start=dt.date(2025, 4, 1), period_end=dt.date(2025, 6, 30))
    IndicatorValueFactory(report=submitted, indicator=indicator, value=Decimal("100"))
    factories.db.session.flush()
    return p


def _url(project_id):
    return url_for("report_files.one_pager", project_id=project_id)


def test_holder_downloads_own_one_pager(app, login_as, project):
    client = login_as("holder")
    with app.test_request_context():
        url = _url(project.id)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"mowakaba-{project.code}-fiche.pdf" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    reader, text = read_pdf(response.data)
    assert f"Page 1 / {len(reader.pages)}" in text
    assert project.name in text and project.cohort.name in text
    assert "Transformation fictive de figues de barbarie." in text
    assert "Obtenir l'agrément sanitaire" in text and "Ouvrir un point de vente" in text
    assert "en retard" in text  # the late milestone
    # team: 3 members, 1 woman, 1 man, 1 young (the lead; the other two are 56 and of unknown age)
    assert "Équipe\n3\nMembres\n1\nFemmes\n1\nHommes\n1\nJeunes\n" in text
    assert "Projet mené par des femmes Projet mené par des jeunes" in text
    assert "Obtenir l'agrément sanitaire Certification En cours en retard" in text
    # progress: approved only: (6 − 2) / (12 − 2) = 40 %; the submitted 100 does not count
    assert "Clients fictifs Nombre 2 12 6 40,0 %" in text
    assert "100" not in text.split("Progrès par rapport aux objectifs")[1]


def test_team_counts_follow_the_flag_rules(app, project):
    with app.test_request_context():
        context = one_pager_context(project, "fr", dt.date.today(), dt.datetime.now(dt.UTC))
    assert context["team"] == {"members": "3", "women": "1", "men": "1", "youth": "1"}
    assert context["flags"] == {"women_led": True, "youth_led": True}
    assert [m["title"] for m in context["milestones"]] == ["Ouvrir un point de vente", "Obtenir l'agrément sanitaire"]
    assert [m["late"] for m in context["milestones"]] == [False, True]
    assert context["progress"][0]["actual"] == "6" and context["progress"][0]["progress"] == "40,0\xa0%"


def test_holder_gets_404_for_another_project(app, actors, login_as, project):
    client = login_as("holder")
    with app.test_request_context():
        url = _url(actors.other_project.id)
    response = client.get(url)
    assert response.status_code == 404
    assert actors.other_project.name.encode() not in response.data


def test_unknown_project_is_404(app, login_as):
    with app.test_request_context():
        url = _url(999_999)
    assert login_as("manager").get(url).status_code == 404


def test_one_pager_in_the_holders_language(app, actors, login_as, project):
    actors.holder.locale = "ar"
    factories.db.session.flush()
    with app.test_request_context():
        url = _url(project.id)
    response = login_as("holder").get(url)
    assert response.status_code == 200
    reader, text = read_pdf(response.data)
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert any("Noto" in n and "Arabic" in n for n in font_names(reader))
    assert project.name in text and "Ouvrir un point de vente" in text


def test_one_pager_pdf_without_milestones_nor_targets(app, actors):
    with app.test_request_context():
        data = one_pager_pdf(actors.other_project, "fr")
    _, text = read_pdf(data)
    assert "Aucun jalon." in text and "Aucun objectif fixé pour ce projet." in text


@pytest.mark.parametrize("role", ["holder", "staff", "manager"])
def test_project_page_links_to_the_one_pager(app, login_as, actors, role):
    with app.test_request_context():
        page, pdf = (url_for("projects.view_project", project_id=actors.project.id), _url(actors.project.id))
    html = login_as(role).get(page).get_data(as_text=True)
    assert f'href="{pdf}"' in html and "Fiche projet (PDF)" in html


def test_holder_home_links_to_the_one_pager(app, login_as, actors):
    with app.test_request_context():
        home, pdf = url_for("core.home"), _url(actors.project.id)
    html = login_as("holder").get(home).get_data(as_text=True)
    assert f'href="{pdf}"' in html
    with app.test_request_context():
        assert _url(actors.other_project.id) not in html
