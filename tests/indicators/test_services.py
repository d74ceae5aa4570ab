"""Catalogue and targets services, without HTTP: each refused case leaves the database as it was."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import ProjectFactory
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.indicators import services
from tracker.indicators.catalogue import DEFAULT_INDICATORS, ensure_default_catalogue
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.indicators.services import TargetInput, TargetRowsError, parse_figure

D = Decimal


def indicator_data(**overrides):
    data = {
        "code": "clients_women", "name_fr": "  Clientes   femmes ", "name_ar": "الزبونات", "name_en": "Women clients",
        "unit": "count", "kind": "flow", "disaggregated": False, "allow_negative": False, "iris_ref": " pi4060 ",
        "sort_order": None,
    }
    return data | overrides


def events(entity_type, entity_id=None, action=None):
    stmt = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def state(indicator):
    db.session.expire_all()
    return {name: getattr(db.session.get(Indicator, indicator.id), name) for name in services.INDICATOR_FIELDS}


def stamp(indicator):
    return indicator.updated_at.isoformat()


# ---------------------------------------------------------------- catalogue

def test_create_indicator_cleans_input_and_audits(actors):
    indicator = services.create_indicator(actors.admin, indicator_data())
    assert indicator.name_fr == "Clientes femmes"
    assert indicator.iris_ref == "PI4060"
    assert indicator.unit == Unit.COUNT and indicator.kind == IndicatorKind.FLOW and indicator.active
    assert indicator.sort_order > 0
    [event] = events("indicator", indicator.id, "create")
    assert event.user_id == actors.admin.id
    assert event.changes["code"] == [None, "clients_women"]


@pytest.mark.parametrize("overrides, field", [
    ({"code": "Jobs"}, "code"),
    ({"code": "1jobs"}, "code"),
    ({"code": "j"}, "code"),
    ({"code": "jobs-created"}, "code"),
    ({"code": "emplois_créés"}, "code"),
    ({"code": "a" * 41}, "code"),
    ({"name_fr": "  "}, "name_fr"),
    ({"name_ar": ""}, "name_ar"),
    ({"name_en": None}, "name_en"),
    ({"name_en": "x" * 201}, "name_en"),
    ({"iris_ref": "PI123"}, "iris_ref"),
    ({"iris_ref": "P12345"}, "iris_ref"),
    ({"iris_ref": "IRIS+ jobs"}, "iris_ref"),
    ({"unit": "kg"}, "unit"),
    ({"unit": None}, "unit"),
    ({"kind": "average"}, "kind"),
    ({"sort_order": -1}, "sort_order"),
])
def test_invalid_indicator_is_refused_and_nothing_written(actors, overrides, field):
    before = db.session.scalar(sa.select(sa.func.count(Indicator.id)))
    with pytest.raises(ServiceError) as error:
        services.create_indicator(actors.admin, indicator_data(**overrides))
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Indicator.id))) == before
    assert events("indicator") == []


def test_code_must_be_unique(actors):
    IndicatorFactory(code="clients_women")
    with pytest.raises(ServiceError, match="déjà le code") as error:
        services.create_indicator(actors.admin, indicator_data())
    assert error.value.field == "code"


def test_blank_iris_reference_is_stored_as_none(actors):
    indicator = services.create_indicator(actors.admin, indicator_data(iris_ref="  "))
    assert indicator.iris_ref is None


def test_update_indicator_audits_before_and_after(actors):
    indicator = IndicatorFactory(name_fr="Ancien nom")
    services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, name_fr="Nouveau nom",
                                                                       iris_ref=""), stamp(indicator))
    [event] = events("indicator", indicator.id, "update")
    assert event.changes["name_fr"] == ["Ancien nom", "Nouveau nom"]
    assert "code" not in event.changes


def test_saving_an_unchanged_indicator_writes_no_audit(actors):
    indicator = IndicatorFactory()
    data = {name: getattr(indicator, name) for name in services.EDITABLE_FIELDS}
    services.update_indicator(actors.admin, indicator, data, stamp(indicator))
    assert events("indicator", indicator.id) == []


def test_stale_form_is_a_conflict_and_changes_nothing(actors):
    indicator = IndicatorFactory(name_fr="Nom initial")
    loaded = stamp(indicator)
    indicator.name_fr = "Nom d'un collègue"
    indicator.updated_at = indicator.updated_at + dt.timedelta(seconds=1)
    db.session.flush()
    with pytest.raises(ConflictError):
        services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code), loaded)
    assert state(indicator)["name_fr"] == "Nom d'un collègue"
    for junk in (None, "", "hier"):
        with pytest.raises(ConflictError):
            services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code), junk)


def with_values(indicator, n=1):
    """`n` values of the indicator, in `n` reports."""
    for _ in range(n):
        IndicatorValueFactory(report=PeriodReportFactory(), indicator=indicator)


@pytest.mark.parametrize("change", [{"unit": "MAD"}, {"kind": "stock"}, {"disaggregated": True}])
def test_meaning_cannot_change_once_values_exist(actors, change):
    indicator = IndicatorFactory(unit=Unit.COUNT, kind=IndicatorKind.FLOW, disaggregated=False)
    with_values(indicator)
    before = state(indicator)
    indicator = db.session.get(Indicator, indicator.id)
    with pytest.raises(ServiceError, match="changerait le sens") as error:
        services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, **change),
                                  stamp(indicator))
    assert error.value.field == next(iter(change))
    assert state(indicator) == before
    assert events("indicator", indicator.id) == []


def test_meaning_may_change_while_unused_and_names_always(actors):
    indicator = IndicatorFactory(unit=Unit.COUNT)
    services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, unit="MAD", kind="stock"),
                              stamp(indicator))
    assert (indicator.unit, indicator.kind) == (Unit.MAD, IndicatorKind.STOCK)
    with_values(indicator)
    services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, unit="MAD", kind="stock",
                                                                      name_en="Renamed"), stamp(indicator))
    assert indicator.name_en == "Renamed"


def test_unit_and_code_frozen_once_targets_use_it(actors):
    indicator = IndicatorFactory(unit=Unit.COUNT)
    TargetFactory(indicator=indicator)
    before = state(indicator)
    for change, field in (({"unit": "hours"}, "unit"), ({"code": "renamed_code"}, "code")):
        data = indicator_data(code=indicator.code) | change
        with pytest.raises(ServiceError) as error:
            services.update_indicator(actors.admin, indicator, data, stamp(indicator))
        assert error.value.field == field
    assert state(indicator) == before
    # kind and disaggregation do not change the meaning of a target's figures
    indicator = db.session.get(Indicator, indicator.id)
    services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, kind="stock"),
                              stamp(indicator))
    assert indicator.kind == IndicatorKind.STOCK


def test_allow_negative_stays_on_while_negative_figures_are_stored(actors):
    indicator = IndicatorFactory(allow_negative=True)
    IndicatorValueFactory(indicator=indicator, value=D("-5"))
    with pytest.raises(ServiceError) as error:
        services.update_indicator(actors.admin, indicator, indicator_data(code=indicator.code, allow_negative=False),
                                  stamp(indicator))
    assert error.value.field == "allow_negative"
    assert state(indicator)["allow_negative"] is True


def test_deactivate_and_reactivate_are_audited_and_idempotent(actors):
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator)
    services.set_active(actors.admin, indicator, False)
    services.set_active(actors.admin, indicator, False)
    assert indicator.active is False
    services.set_active(actors.admin, indicator, True)
    assert [e.action for e in events("indicator", indicator.id)] == ["deactivate", "reactivate"]
    assert db.session.scalar(sa.select(sa.func.count(Target.id)).where(Target.indicator_id == indicator.id)) == 1


def test_used_indicator_cannot_be_deleted(actors):
    by_target, by_value = IndicatorFactory(), IndicatorFactory()
    TargetFactory(indicator=by_target)
    with_values(by_value)
    for indicator in (by_target, by_value):
        with pytest.raises(ServiceError, match="ne peut pas être supprimé"):
            services.delete_indicator(actors.admin, indicator)
        assert db.session.get(Indicator, indicator.id) is not None
    assert events("indicator", action="delete") == []


def test_unused_indicator_is_deleted_and_audited(actors):
    indicator = IndicatorFactory(code="to_delete")
    indicator_id = indicator.id
    services.delete_indicator(actors.admin, indicator)
    assert db.session.get(Indicator, indicator_id) is None
    [event] = events("indicator", indicator_id, "delete")
    assert event.changes["code"] == ["to_delete", None]


def test_catalogue_lists_usage_in_one_query(actors, count_queries):
    used = IndicatorFactory()
    TargetFactory(indicator=used)
    TargetFactory(indicator=used)
    reported = IndicatorFactory()
    with_values(reported, 3)
    unused = IndicatorFactory()
    with count_queries() as queries:
        rows = {row.indicator.id: row for row in services.catalogue()}
    assert len(queries) == 1
    assert (rows[used.id].targets, rows[used.id].has_values, rows[used.id].deletable) == (2, False, False)
    assert (rows[reported.id].targets, rows[reported.id].has_values, rows[reported.id].deletable) == (0, True, False)
    assert rows[unused.id].deletable


def test_default_catalogue_is_complete_and_valid():
    assert len(DEFAULT_INDICATORS) >= 10
    assert len({spec.code for spec in DEFAULT_INDICATORS}) == len(DEFAULT_INDICATORS)
    for spec in DEFAULT_INDICATORS:
        assert services.CODE_RE.match(spec.code), spec.code
        assert spec.name_fr and spec.name_ar and spec.name_en
        assert spec.iris_ref is None or services.IRIS_RE.match(spec.iris_ref), spec.code
    created = ensure_default_catalogue()
    assert ensure_default_catalogue() == 0
    assert created <= len(DEFAULT_INDICATORS)


# ---------------------------------------------------------------- targets

@pytest.fixture
def project():
    return ProjectFactory()


def row(indicator, version=None, **figures):
    return TargetInput(indicator_id=indicator.id, version=version, **figures)


def targets_of(project):
    db.session.expire_all()
    return {t.indicator_id: t for t in db.session.scalars(sa.select(Target).where(Target.project_id == project.id))}


def test_create_update_and_delete_targets(actors, project):
    a, b, c = IndicatorFactory(), IndicatorFactory(), IndicatorFactory()
    existing = TargetFactory(project=project, indicator=b, target_value=D(10))
    gone = TargetFactory(project=project, indicator=c)
    result = services.save_targets(actors.staff, project, [
        row(a, baseline_value=D(0), baseline_date=dt.date(2025, 1, 1), target_value=D("1234.5"),
            target_date=dt.date(2026, 6, 30)),
        row(b, existing.version, baseline_value=D(0), baseline_date=dt.date(2025, 1, 1), target_value=D(20),
            target_date=dt.date(2026, 12, 31)),
        row(c, gone.version, delete=True),
    ])
    assert (result.created, result.updated, result.deleted) == ([a.id], [b.id], [c.id])
    saved = targets_of(project)
    assert saved[a.id].target_value == D("1234.50")
    assert saved[b.id].target_value == D(20) and saved[b.id].version == 2
    assert c.id not in saved
    assert {e.action for e in events("target")} == {"create", "update", "delete"}
    [update] = events("target", saved[b.id].id, "update")
    assert update.changes == {"target_value": ["10.00", "20.00"]}


def test_unchanged_rows_write_nothing_and_keep_their_version(actors, project):
    indicator = IndicatorFactory()
    target = TargetFactory(project=project, indicator=indicator, baseline_value=D("1.50"), target_value=D(10))
    result = services.save_targets(actors.staff, project, [
        row(indicator, target.version, baseline_value=D("1.5"), baseline_date=target.baseline_date,
            target_value=D("10.0"), target_date=target.target_date),
        row(IndicatorFactory()),  # blank row, no target: nothing to do
    ])
    assert result.changed == 0
    assert targets_of(project)[indicator.id].version == 1
    assert events("target") == []


def test_removing_values_without_ticking_delete_is_refused(actors, project):
    indicator = IndicatorFactory()
    target = TargetFactory(project=project, indicator=indicator)
    with pytest.raises(TargetRowsError) as error:
        services.save_targets(actors.staff, project, [row(indicator, target.version)])
    assert "cochez « Supprimer »" in str(error.value.errors[indicator.id][None][0])
    assert indicator.id in targets_of(project)


def test_removing_a_target_keeps_the_reported_values(actors, project):
    indicator = IndicatorFactory()
    target = TargetFactory(project=project, indicator=indicator)
    value = IndicatorValueFactory(report=PeriodReportFactory(project=project), indicator=indicator)
    services.save_targets(actors.staff, project, [row(indicator, target.version, delete=True)])
    assert indicator.id not in targets_of(project)
    assert db.session.get(type(value), value.id) is not None


@pytest.mark.parametrize("figures, field, message", [
    ({"baseline_value": D(0)}, "target_value", "Indiquez la valeur cible"),
    ({"target_value": D(-1)}, "target_value", "pas de valeur négative"),
    ({"baseline_value": D(-3), "target_value": D(5)}, "baseline_value", "pas de valeur négative"),
    ({"target_value": D("1.234")}, "target_value", "Deux décimales au plus"),
    ({"target_value": D("1e17")}, "target_value", "trop grand"),
    ({"target_value": D("1" + "0" * 40)}, "target_value", "trop grand"),
    ({"baseline_date": dt.date(2025, 1, 1), "target_value": D(5)}, "baseline_value", "valeur de référence"),
    ({"baseline_value": D(0), "baseline_date": dt.date(2025, 6, 1), "target_value": D(5),
      "target_date": dt.date(2025, 6, 1)}, "target_date", "postérieure"),
])
def test_invalid_rows_are_refused_and_nothing_written(actors, project, figures, field, message):
    good, bad = IndicatorFactory(), IndicatorFactory()
    with pytest.raises(TargetRowsError) as error:
        services.save_targets(actors.staff, project, [row(good, target_value=D(3)), row(bad, **figures)])
    assert message in " ".join(str(m) for m in error.value.errors[bad.id][field])
    assert good.id not in error.value.errors
    assert targets_of(project) == {}
    assert events("target") == []


def test_negative_figures_allowed_when_the_indicator_allows_them(actors, project):
    margin = IndicatorFactory(allow_negative=True, unit=Unit.PERCENT)
    services.save_targets(actors.staff, project, [row(margin, baseline_value=D("-12.5"), target_value=D(8))])
    assert targets_of(project)[margin.id].baseline_value == D("-12.50")


def test_rows_for_indicators_not_offered_are_refused(actors, project):
    inactive = IndicatorFactory(active=False)
    with pytest.raises(TargetRowsError) as error:
        services.save_targets(actors.staff, project, [row(inactive, target_value=D(1))])
    assert inactive.id in error.value.errors
    assert targets_of(project) == {}


def test_inactive_indicator_with_a_target_stays_editable(actors, project):
    inactive = IndicatorFactory(active=False)
    target = TargetFactory(project=project, indicator=inactive)
    assert (inactive, target) in services.target_rows(project.id)
    services.save_targets(actors.staff, project, [row(inactive, target.version, delete=True)])
    assert targets_of(project) == {}


def test_a_row_changed_meanwhile_is_a_conflict_and_nothing_is_written(actors, project):
    changed, fresh = IndicatorFactory(), IndicatorFactory()
    target = TargetFactory(project=project, indicator=changed, target_value=D(10))
    loaded = target.version
    target.target_value = D(15)  # a colleague's save
    db.session.flush()
    with pytest.raises(TargetRowsError) as error:
        services.save_targets(actors.staff, project, [
            row(changed, loaded, target_value=D(12)),
            row(fresh, target_value=D(3)),
        ])
    assert error.value.conflicts == {changed.id}
    saved = targets_of(project)
    assert saved[changed.id].target_value == D(15) and fresh.id not in saved


@pytest.mark.parametrize("case", ["created_meanwhile", "deleted_meanwhile", "delete_changed"])
def test_other_conflicts(actors, project, case):
    indicator = IndicatorFactory()
    if case == "created_meanwhile":
        TargetFactory(project=project, indicator=indicator)
        rows = [row(indicator, None, target_value=D(4))]
    elif case == "deleted_meanwhile":
        rows = [row(indicator, 1, target_value=D(4))]
    else:
        target = TargetFactory(project=project, indicator=indicator)
        target.target_value = D(99)
        db.session.flush()
        rows = [row(indicator, 1, delete=True)]
    with pytest.raises(TargetRowsError) as error:
        services.save_targets(actors.staff, project, rows)
    assert error.value.conflicts == {indicator.id}


def test_blank_row_leaves_a_target_created_meanwhile_alone(actors, project):
    indicator = IndicatorFactory()
    TargetFactory(project=project, indicator=indicator)
    result = services.save_targets(actors.staff, project, [row(indicator, None)])
    assert result.changed == 0 and indicator.id in targets_of(project)


def test_project_targets_in_one_query_with_indicators(project, count_queries):
    for k in range(3):
        TargetFactory(project=project, indicator=IndicatorFactory(sort_order=10 - k))
    project_id = project.id
    db.session.expire_all()
    with count_queries() as queries:
        targets = services.project_targets(project_id)
        codes = [t.indicator.code for t in targets]
    assert len(queries) == 1
    assert [t.indicator.sort_order for t in targets] == [8, 9, 10] and len(codes) == 3


# ---------------------------------------------------------------- parsing figures

@pytest.mark.parametrize("text, expected", [
    ("1 234,5", D("1234.5")), ("1234.5", D("1234.5")), ("1\u202f234,50", D("1234.50")), ("1.234,5", D("1234.5")),
    ("1,234.5", D("1234.5")), ("-3,25", D("-3.25")), ("\u22123", D("-3")), ("١٢٣٫٥", D("123.5")), ("  ", None),
    ("0", D(0)), ("1 000 000", D(1000000)),
])
def test_parse_figure(text, expected):
    assert parse_figure(text) == expected


@pytest.mark.parametrize("text", ["abc", "1e5", "12,34,567", "1,2,3", "--1", "1 234,5 MAD", "NaN", "Infinity"])
def test_parse_figure_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_figure(text)


def test_ambiguous_thousands_comma_is_refused_not_misread():
    assert services.check_figure(parse_figure("1,234"), False) is not None


def test_default_gross_margin_accepts_negative_values():
    [margin] = [spec for spec in DEFAULT_INDICATORS if spec.code == "gross_margin"]
    assert margin.allow_negative
    assert not any(spec.allow_negative for spec in DEFAULT_INDICATORS if spec.code != "gross_margin")
