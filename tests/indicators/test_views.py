"""Catalogue and targets pages through HTTP: forms, messages, what is stored, query budgets."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import UserFactory
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.indicators import services
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.periods.models import Cell, PeriodReport, ReportStatus

D = Decimal
CONFLICT = "Cet enregistrement a été modifié par"


def indicator_form(**overrides):
    data = {"code": "clients_women", "name_fr": "Clientes femmes", "name_ar": "الزبونات", "name_en": "Women clients",
            "unit": "count", "kind": "flow", "iris_ref": "", "sort_order": ""}
    return data | overrides


def indicator_count():
    return db.session.scalar(sa.select(sa.func.count(Indicator.id)))


def page_of(response):
    """The page with entities decoded: messages reach it escaped or not depending on their origin."""
    return html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------- catalogue

def test_catalogue_lists_every_indicator_with_its_usage(actors, login_as):
    used = IndicatorFactory(code="jobs_test", name_ar="مناصب", iris_ref="PI3687")
    TargetFactory(indicator=used)
    TargetFactory(indicator=used)
    IndicatorFactory(code="old_one", active=False)
    page = page_of(login_as("admin").get("/indicators/"))
    assert "jobs_test" in page and "مناصب" in page and "PI3687" in page
    row = page[page.index("jobs_test"):page.index("old_one")]
    assert '<td class="text-end">2</td>' in row
    assert "Réactiver" in page[page.index("old_one"):]
    assert 'scope="col"' in page and "table-responsive" in page


def test_catalogue_list_query_count_is_the_same_for_5_and_50_indicators(actors, login_as, count_queries):
    client = login_as("admin")

    def add(n):
        for _ in range(n):
            indicator = IndicatorFactory()
            TargetFactory(project=actors.project, indicator=indicator)
            IndicatorValueFactory(indicator=indicator)

    add(5)
    client.get("/indicators/")
    with count_queries() as few:
        assert client.get("/indicators/").status_code == 200
    add(45)
    with count_queries() as many:
        assert client.get("/indicators/").status_code == 200
    assert len(few) == len(many)


def test_create_indicator_through_the_form(actors, login_as):
    response = login_as("admin").post("/indicators/new", data=indicator_form(disaggregated="y", iris_ref="pi4060"),
                                      follow_redirects=True)
    assert "L'indicateur « clients_women » a été ajouté au catalogue." in page_of(response)
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == "clients_women"))
    assert indicator.disaggregated and indicator.iris_ref == "PI4060" and indicator.unit == Unit.COUNT


@pytest.mark.parametrize("overrides, message", [
    ({"code": "Emplois"}, "Le code doit compter de 2 à 40 caractères"),
    ({"code": ""}, "Le code est obligatoire."),
    ({"name_ar": ""}, "Le nom en arabe est obligatoire."),
    ({"iris_ref": "IRIS-12"}, "deux lettres et quatre chiffres"),
    ({"unit": ""}, "Choisissez l'unité."),
    ({"unit": "kg"}, "Le formulaire contient des erreurs"),
])
def test_invalid_indicator_form_writes_nothing(actors, login_as, overrides, message):
    client = login_as("admin")
    before = indicator_count()
    response = client.post("/indicators/new", data=indicator_form(**overrides))
    assert response.status_code == 200
    page = page_of(response)
    assert message in page
    assert indicator_count() == before


def test_duplicate_code_is_refused(actors, login_as):
    IndicatorFactory(code="clients_women")
    before = indicator_count()
    page = page_of(login_as("admin").post("/indicators/new", data=indicator_form()))
    assert "Un autre indicateur porte déjà le code « clients_women »." in page
    assert indicator_count() == before


def test_edit_form_shows_help_and_saves(actors, login_as):
    indicator = IndicatorFactory(code="revenue_test", unit=Unit.MAD)
    client = login_as("admin")
    page = page_of(client.get(f"/indicators/{indicator.id}/edit"))
    assert "Laissez vide si aucune métrique" in page
    loaded_at = re.search(r'name="loaded_at" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/indicators/{indicator.id}/edit", data=indicator_form(
        code="revenue_test", unit="MAD", name_en="Sales", loaded_at=loaded_at))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).name_en == "Sales"


def test_unit_change_refused_when_values_exist(actors, login_as):
    indicator = IndicatorFactory(code="jobs_x", unit=Unit.COUNT, kind=IndicatorKind.FLOW)
    IndicatorValueFactory(indicator=indicator)
    response = login_as("admin").post(f"/indicators/{indicator.id}/edit", data=indicator_form(
        code="jobs_x", unit="hours", loaded_at=indicator.updated_at.isoformat()))
    assert response.status_code == 200
    assert "changerait le sens des chiffres enregistrés" in page_of(response)
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).unit == Unit.COUNT


def test_stale_edit_keeps_input_and_shows_the_saved_values(actors, login_as):
    indicator = IndicatorFactory(code="stale_x", name_fr="Nom initial")
    client = login_as("admin")
    stale = indicator.updated_at.isoformat()
    indicator.name_fr = "Nom d'un collègue"
    indicator.updated_at = indicator.updated_at + dt.timedelta(seconds=2)
    db.session.commit()
    response = client.post(f"/indicators/{indicator.id}/edit",
                           data=indicator_form(code="stale_x", name_fr="Ma saisie", loaded_at=stale))
    page = page_of(response)
    assert CONFLICT in page
    assert 'value="Ma saisie"' in page
    assert "Nom d'un collègue" in page
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).name_fr == "Nom d'un collègue"


def test_deactivate_then_reactivate(actors, login_as):
    indicator = IndicatorFactory(code="seasonal_x")
    client = login_as("admin")
    assert "Désactiver l'indicateur" in page_of(client.get(f"/indicators/{indicator.id}/deactivate"))
    page = page_of(client.post(f"/indicators/{indicator.id}/deactivate", follow_redirects=True))
    assert "est désactivé" in page
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).active is False
    client.post(f"/indicators/{indicator.id}/reactivate")
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).active is True


def test_delete_refused_when_used_and_allowed_when_unused(actors, login_as):
    used, unused = IndicatorFactory(), IndicatorFactory()
    TargetFactory(indicator=used)
    client = login_as("admin")
    assert "ne peut pas être supprimé" in page_of(client.get(f"/indicators/{used.id}/delete"))
    page = page_of(client.post(f"/indicators/{used.id}/delete", follow_redirects=True))
    assert "ne peut pas être supprimé" in page
    assert db.session.get(Indicator, used.id) is not None
    client.post(f"/indicators/{unused.id}/delete")
    db.session.expire_all()
    assert db.session.get(Indicator, unused.id) is None


# ---------------------------------------------------------------- targets form

def targets_url(project):
    return f"/indicators/projects/{project.id}/targets"


def posted_rows(project, **by_indicator):
    """The form as the page sends it: every row, with the stored figures unless `by_indicator` changes them
    ({indicator_id: {field: text}})."""
    data = {}
    for n, (indicator, target) in enumerate(services.target_rows(project.id)):
        fields = {"indicator_id": str(indicator.id), "version": str(target.version) if target else "",
                  "baseline_value": "", "baseline_date": "", "target_value": "", "target_date": ""}
        if target:
            fields |= {"baseline_value": "" if target.baseline_value is None else str(target.baseline_value),
                       "baseline_date": target.baseline_date.isoformat() if target.baseline_date else "",
                       "target_value": "" if target.target_value is None else str(target.target_value),
                       "target_date": target.target_date.isoformat() if target.target_date else ""}
        fields |= by_indicator.get(f"i{indicator.id}", {})
        data |= {f"rows-{n}-{name}": value for name, value in fields.items()}
    return data


def targets_of(project):
    db.session.expire_all()
    return {t.indicator_id: t for t in db.session.scalars(sa.select(Target).where(Target.project_id == project.id))}


def test_targets_form_lists_active_indicators_in_the_users_language(actors, login_as):
    active = IndicatorFactory(name_fr="Emplois fictifs", name_ar="مناصب تجريبية")
    IndicatorFactory(name_fr="Indicateur retiré", active=False)
    page = page_of(login_as("staff").get(targets_url(actors.project)))
    assert "Emplois fictifs" in page and "Indicateur retiré" not in page
    assert 'inputmode="decimal"' in page and 'type="number"' not in page
    assert 'for="rows-0-baseline_value"' in page
    arabic = UserFactory(role="staff", locale="ar")
    page = page_of(login_as(arabic).get(targets_url(actors.project)))
    assert "مناصب تجريبية" in page and 'dir="rtl"' in page
    assert active.name_fr not in page


def test_create_targets_with_decimal_comma(actors, login_as):
    jobs, revenue = IndicatorFactory(), IndicatorFactory(unit=Unit.MAD)
    data = posted_rows(actors.project, **{
        f"i{jobs.id}": {"baseline_value": "0", "baseline_date": "2025-01-01", "target_value": "12",
                        "target_date": "2026-12-31"},
        f"i{revenue.id}": {"baseline_value": "1 234,5", "target_value": "250000.75"},
    })
    response = login_as("staff").post(targets_url(actors.project), data=data, follow_redirects=True)
    assert "Cibles enregistrées : 2 cibles ajoutées." in page_of(response)
    saved = targets_of(actors.project)
    assert saved[revenue.id].baseline_value == D("1234.50")
    assert saved[revenue.id].target_value == D("250000.75")
    assert saved[jobs.id].target_date == dt.date(2026, 12, 31)


def test_update_and_delete_targets(actors, login_as):
    kept, removed = IndicatorFactory(), IndicatorFactory()
    TargetFactory(project=actors.project, indicator=kept, target_value=D(10))
    TargetFactory(project=actors.project, indicator=removed)
    data = posted_rows(actors.project, **{f"i{kept.id}": {"target_value": "15,5"}})
    delete_box = next(k for k, v in data.items() if v == str(removed.id)).replace("indicator_id", "delete")
    data[delete_box] = "y"
    page = page_of(login_as("manager").post(targets_url(actors.project), data=data, follow_redirects=True))
    assert "1 cible modifiée, 1 cible supprimée" in page
    saved = targets_of(actors.project)
    assert saved[kept.id].target_value == D("15.50") and removed.id not in saved


def test_saving_unchanged_form_changes_nothing(actors, login_as):
    indicator = IndicatorFactory()
    TargetFactory(project=actors.project, indicator=indicator, baseline_value=D("2.50"))
    page = page_of(login_as("staff").post(targets_url(actors.project), data=posted_rows(actors.project),
                                          follow_redirects=True))
    assert "Aucun changement" in page
    assert targets_of(actors.project)[indicator.id].version == 1


def test_unreadable_figure_keeps_input_and_writes_nothing(actors, login_as):
    good, bad = IndicatorFactory(), IndicatorFactory()
    data = posted_rows(actors.project, **{f"i{good.id}": {"target_value": "5"},
                                          f"i{bad.id}": {"target_value": "douze"}})
    response = login_as("staff").post(targets_url(actors.project), data=data)
    page = page_of(response)
    assert response.status_code == 200
    assert "Ce n'est pas un nombre" in page
    assert 'value="douze"' in page and 'value="5"' in page
    assert targets_of(actors.project) == {}


def test_negative_refused_unless_the_indicator_allows_it(actors, login_as):
    count, margin = IndicatorFactory(), IndicatorFactory(allow_negative=True, unit=Unit.PERCENT)
    client = login_as("staff")
    data = posted_rows(actors.project, **{f"i{count.id}": {"target_value": "-3"},
                                          f"i{margin.id}": {"baseline_value": "-4,5", "target_value": "10"}})
    page = page_of(client.post(targets_url(actors.project), data=data))
    assert "Cet indicateur n'accepte pas de valeur négative." in page
    assert 'value="-4,5"' in page
    assert targets_of(actors.project) == {}
    data = posted_rows(actors.project, **{f"i{margin.id}": {"baseline_value": "-4,5", "target_value": "10"}})
    assert client.post(targets_url(actors.project), data=data).status_code == 302
    assert targets_of(actors.project)[margin.id].baseline_value == D("-4.50")


def test_target_date_must_follow_baseline_date(actors, login_as):
    indicator = IndicatorFactory()
    data = posted_rows(actors.project, **{f"i{indicator.id}": {
        "baseline_value": "0", "baseline_date": "2026-01-01", "target_value": "3", "target_date": "2025-01-01"}})
    page = page_of(login_as("staff").post(targets_url(actors.project), data=data))
    assert "La date cible doit être postérieure à la date de référence." in page
    assert targets_of(actors.project) == {}


def test_conflict_keeps_input_and_shows_what_was_saved(actors, login_as):
    indicator, other = IndicatorFactory(), IndicatorFactory()
    target = TargetFactory(project=actors.project, indicator=indicator, target_value=D(10))
    client = login_as("staff")
    data = posted_rows(actors.project, **{f"i{indicator.id}": {"target_value": "12"},
                                          f"i{other.id}": {"target_value": "7"}})
    target.target_value = D(40)  # a colleague saves first
    db.session.commit()
    response = client.post(targets_url(actors.project), data=data)
    page = page_of(response)
    assert response.status_code == 200
    assert CONFLICT in page
    assert 'value="12"' in page and 'value="7"' in page
    assert "Enregistré entre-temps" in page and "40" in page
    saved = targets_of(actors.project)
    assert saved[indicator.id].target_value == D(40) and other.id not in saved
    # the row now carries the stored version: saving again is a deliberate overwrite
    version_field = next(k for k, v in data.items() if v == str(indicator.id)).replace("indicator_id", "version")
    assert re.search(rf'name="{version_field}" type="hidden" value="2"', page)
    data[version_field] = "2"
    assert client.post(targets_url(actors.project), data=data).status_code == 302
    assert targets_of(actors.project)[indicator.id].target_value == D(12)


def test_targets_form_query_count_is_the_same_for_5_and_50_indicators(actors, login_as, count_queries):
    client = login_as("staff")

    def add(n):
        for k in range(n):
            indicator = IndicatorFactory()
            if k % 2:
                TargetFactory(project=actors.project, indicator=indicator)

    add(5)
    client.get(targets_url(actors.project))
    with count_queries() as few:
        assert client.get(targets_url(actors.project)).status_code == 200
    add(45)
    with count_queries() as many:
        assert client.get(targets_url(actors.project)).status_code == 200
    assert len(few) == len(many)


# ---------------------------------------------------------------- progress page

def progress_url(project, **args):
    query = "?" + "&".join(f"{k}={v}" for k, v in args.items()) if args else ""
    return f"/indicators/projects/{project.id}{query}"


def reported(project, indicator, amount, end, status=ReportStatus.APPROVED, cell=Cell.TOTAL):
    """A value in the project's report of the period ending `end` (created with `status` if missing)."""
    report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.project_id == project.id,
                                                             PeriodReport.period_end == end))
    if report is None:
        report = PeriodReportFactory(project=project, period_label=end.isoformat(), period_end=end,
                                     period_start=end.replace(day=1), status=status)
    IndicatorValueFactory(report=report, indicator=indicator, cell=cell, value=D(amount))


def test_holder_sees_progress_of_their_project(actors, login_as):
    jobs = IndicatorFactory(name_fr="Emplois fictifs", unit=Unit.COUNT)
    revenue = IndicatorFactory(name_fr="Ventes fictives", unit=Unit.MAD)
    TargetFactory(project=actors.project, indicator=jobs, baseline_value=D(0), target_value=D(4))
    TargetFactory(project=actors.project, indicator=revenue, baseline_value=D(0), target_value=D(1000))
    reported(actors.project, jobs, "6", dt.date(2025, 3, 31))
    reported(actors.project, revenue, "250", dt.date(2025, 3, 31))
    reported(actors.project, revenue, "999", dt.date(2025, 6, 30), ReportStatus.SUBMITTED)
    client = login_as("holder")
    page = page_of(client.get(progress_url(actors.project)))
    assert "Emplois fictifs" in page
    assert "150,0\xa0%" in page  # over the target, not capped
    assert '<progress class="flex-grow-1" max="100" value="100"' in page
    assert "25,0\xa0%" in page and "250 MAD" in page
    assert "Modifier les cibles" not in page
    page = page_of(client.get(progress_url(actors.project, submitted=1)))
    assert "ne sont pas encore approuvés" in page
    assert "124,9\xa0%" in page  # (250 + 999) / 1000


def test_disaggregated_figures_show_women_and_youth(actors, login_as):
    jobs = IndicatorFactory(disaggregated=True)
    TargetFactory(project=actors.project, indicator=jobs, baseline_value=D(0), target_value=D(10))
    end = dt.date(2025, 3, 31)
    report = PeriodReportFactory(project=actors.project, period_label="2025-T1", period_end=end,
                                 period_start=dt.date(2025, 1, 1), status=ReportStatus.APPROVED)
    for cell, n in ((Cell.WOMEN_YOUTH, 2), (Cell.WOMEN_OTHER, 1), (Cell.MEN_YOUTH, 3), (Cell.NOT_STATED, 1)):
        IndicatorValueFactory(report=report, indicator=jobs, cell=cell, value=D(n))
    page = page_of(login_as("staff").get(progress_url(actors.project)))
    assert "dont femmes : 3" in page and "dont jeunes : 5" in page
    assert "70,0\xa0%" in page
    assert "Modifier les cibles" in page


def test_progress_page_query_count_is_the_same_for_5_and_50_indicators(actors, login_as, count_queries):
    client = login_as("holder")
    report = PeriodReportFactory(project=actors.project, period_label="2025-T1", status=ReportStatus.APPROVED)

    def add(n):
        for _ in range(n):
            indicator = IndicatorFactory(disaggregated=True)
            TargetFactory(project=actors.project, indicator=indicator)
            IndicatorValueFactory(report=report, indicator=indicator, cell=Cell.WOMEN_YOUTH, value=D(2))

    add(5)
    client.get(progress_url(actors.project))
    with count_queries() as few:
        assert client.get(progress_url(actors.project)).status_code == 200
    add(45)
    with count_queries() as many:
        assert client.get(progress_url(actors.project)).status_code == 200
    assert len(few) == len(many)
