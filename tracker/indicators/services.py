"""The indicator catalogue (admin) and each project's targets (staff), DESIGN §3–§5; issue 5 items 1–2.

Catalogue rules (raised as ServiceError, nothing written):
- a code is 2–40 characters, lower-case letters, digits and `_`, starting with a letter, and unique; it is
  the stable key of reports and exports, so it cannot change once targets or values use it;
- the three names (fr, ar, en) are required; the IRIS+ reference is optional, two letters and four digits
  (PI3687) — left blank rather than guessed;
- the unit, kind and disaggregation of an indicator cannot change once values are reported for it (nor the
  unit once targets use it): stored figures would silently change meaning. `allow_negative` cannot be
  turned off while negative figures are stored;
- an indicator used by targets or values is deactivated, never deleted; an unused one may be deleted;
- an edit made from a form loaded before the indicator's last change is refused (`updated_at` check).

Target rules (`save_targets`, all rows or nothing):
- a row with any figure needs a target value; a baseline date needs a baseline value;
- figures are decimals with at most two places, not negative unless the indicator allows it;
- the target date is after the baseline date;
- an existing target is removed only when its row asks for it explicitly; its reported values stay;
- each row carries the version of the target it was loaded from: a row changed, created or removed by
  someone else since is a conflict, and nothing is written.

Every change writes an AuditEvent with the fields before → after.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.core import audit
from tracker.core.fields import parse_number
from tracker.core.services import CONFLICT_MESSAGE, ConflictError, ServiceError
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.periods.models import IndicatorValue

INDICATOR_FIELDS = [
    "code", "name_fr", "name_ar", "name_en", "unit", "kind", "disaggregated", "allow_negative", "iris_ref",
    "active", "sort_order",
]
EDITABLE_FIELDS = [f for f in INDICATOR_FIELDS if f != "active"]
MEANING_FIELDS = ("unit", "kind", "disaggregated")  # frozen once values exist
TARGET_FIELDS = ["baseline_value", "baseline_date", "target_value", "target_date"]

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
IRIS_RE = re.compile(r"^[A-Z]{2}[0-9]{4}$")
NAME_MAX = 200
CENT = Decimal("0.01")
MAX_ABS = Decimal(10) ** 16  # Numeric(18, 2)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class CatalogueRow:
    indicator: Indicator
    targets: int  # targets using the indicator
    has_values: bool  # values reported for it, in reports of any status

    @property
    def deletable(self) -> bool:
        return not self.targets and not self.has_values


def catalogue() -> list[CatalogueRow]:
    """Every indicator, in display order, with its usage: one query whatever the size of the catalogue."""
    targets = (
        sa.select(sa.func.count(Target.id)).where(Target.indicator_id == Indicator.id).scalar_subquery()
    )
    has_values = sa.exists().where(IndicatorValue.indicator_id == Indicator.id)
    rows = db.session.execute(
        sa.select(Indicator, targets.label("targets"), has_values.label("has_values"))
        .order_by(Indicator.active.desc(), Indicator.sort_order, Indicator.code)
    ).all()
    return [CatalogueRow(indicator, int(n or 0), bool(values)) for indicator, n, values in rows]


@dataclass(frozen=True)
class Usage:
    targets: int
    values: int

    @property
    def used(self) -> bool:
        return bool(self.targets or self.values)


def usage(indicator: Indicator) -> Usage:
    targets = db.session.scalar(sa.select(sa.func.count(Target.id)).where(Target.indicator_id == indicator.id))
    values = db.session.scalar(
        sa.select(sa.func.count(IndicatorValue.id)).where(IndicatorValue.indicator_id == indicator.id)
    )
    return Usage(int(targets or 0), int(values or 0))




def target_rows(project_id: int) -> list[tuple[Indicator, Target | None]]:
    """The rows of a project's targets form: every active indicator, plus inactive ones the project still
    has a target for (so it can be read and removed), in catalogue order. One query."""
    return [
        (indicator, target)
        for indicator, target in db.session.execute(
            sa.select(Indicator, Target)
            .outerjoin(Target, sa.and_(Target.indicator_id == Indicator.id, Target.project_id == project_id))
            .where(sa.or_(Indicator.active.is_(True), Target.id.is_not(None)))
            .order_by(Indicator.sort_order, Indicator.code)
        ).all()
    ]


def project_targets(project_id: int) -> list[Target]:
    """The project's targets with their indicator loaded, in catalogue order (e.g. the indicators a period
    report asks for). One query."""
    return list(db.session.scalars(
        sa.select(Target)
        .join(Target.indicator)
        .options(sa.orm.contains_eager(Target.indicator))
        .where(Target.project_id == project_id)
        .order_by(Indicator.sort_order, Indicator.code)
    ))


# ---------------------------------------------------------------- catalogue

def _text(value) -> str:
    return " ".join((value or "").split())


def _clean_indicator(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    code = (data.get("code") or "").strip()
    if not CODE_RE.match(code):
        raise ServiceError(
            _l("Le code doit compter de 2 à 40 caractères : lettres minuscules sans accent, chiffres et « _ », "
               "en commençant par une lettre (par exemple jobs_created)."),
            field="code",
        )
    data["code"] = code
    for lang in ("fr", "ar", "en"):
        name = _text(data.get(f"name_{lang}"))
        if not name:
            raise ServiceError(_l("Le nom est obligatoire dans les trois langues."), field=f"name_{lang}")
        if len(name) > NAME_MAX:
            raise ServiceError(_l("Ce nom est trop long (%(max)s caractères au plus).", max=NAME_MAX),
                               field=f"name_{lang}")
        data[f"name_{lang}"] = name
    iris = (data.get("iris_ref") or "").strip().upper() or None
    if iris is not None and not IRIS_RE.match(iris):
        raise ServiceError(
            _l("La référence IRIS+ s'écrit avec deux lettres et quatre chiffres, par exemple PI3687. "
               "Laissez-la vide si aucune métrique IRIS+ n'a exactement le même sens."),
            field="iris_ref",
        )
    data["iris_ref"] = iris
    try:
        data["unit"] = Unit(data.get("unit"))
    except ValueError:
        raise ServiceError(_l("Choisissez l'unité."), field="unit") from None
    try:
        data["kind"] = IndicatorKind(data.get("kind"))
    except ValueError:
        raise ServiceError(_l("Choisissez le type : flux ou stock."), field="kind") from None
    data["disaggregated"] = bool(data.get("disaggregated"))
    data["allow_negative"] = bool(data.get("allow_negative"))
    order = data.get("sort_order")
    if order is None or order == "":
        data.pop("sort_order", None)
    else:
        data["sort_order"] = int(order)
        if not (0 <= data["sort_order"] <= 100_000):
            raise ServiceError(_l("L'ordre d'affichage doit être compris entre 0 et 100 000."), field="sort_order")
    return data


def _check_code_free(code: str, indicator_id: int | None) -> None:
    other = db.session.scalar(
        sa.select(Indicator.id).where(sa.func.lower(Indicator.code) == code, Indicator.id != (indicator_id or -1))
    )
    if other:
        raise ServiceError(_l("Un autre indicateur porte déjà le code « %(code)s ».", code=code), field="code")


def _has_negative_figures(indicator: Indicator) -> bool:
    negative_target = sa.select(Target.id).where(
        Target.indicator_id == indicator.id, sa.or_(Target.baseline_value < 0, Target.target_value < 0)
    )
    negative_value = sa.select(IndicatorValue.id).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.value < 0
    )
    return bool(db.session.scalar(sa.select(sa.or_(sa.exists(negative_target), sa.exists(negative_value)))))


def _next_sort_order() -> int:
    return int(db.session.scalar(sa.select(sa.func.max(Indicator.sort_order))) or 0) + 10


def create_indicator(actor, data: dict) -> Indicator:
    """Adds an active indicator to the catalogue after the rules above.

    Raises ServiceError (field set) when a rule is broken or another indicator has the code."""
    data = _clean_indicator(data)
    _check_code_free(data["code"], None)
    data.setdefault("sort_order", _next_sort_order())
    indicator = Indicator(**data, active=True)
    db.session.add(indicator)
    db.session.flush()
    audit.record(actor, "create", "indicator", indicator.id,
                 audit.diff({}, audit.snapshot(indicator, INDICATOR_FIELDS)))
    return indicator


def check_fresh(indicator: Indicator, loaded_at) -> None:
    """Raises ConflictError unless the form was loaded from the indicator as it is now stored.

    Indicators carry no version column; their `updated_at` (set on every change) plays its part. The row is
    re-read under a row lock (PostgreSQL) so a concurrent save cannot slip in between check and write."""
    db.session.refresh(indicator, with_for_update=True)
    try:
        loaded = dt.datetime.fromisoformat(str(loaded_at))
    except (TypeError, ValueError):
        loaded = None
    if loaded is not None and loaded.tzinfo is None:
        loaded = loaded.replace(tzinfo=dt.UTC)
    if loaded is None or indicator.updated_at is None or loaded != indicator.updated_at:
        raise ConflictError(CONFLICT_MESSAGE)


def update_indicator(actor, indicator: Indicator, data: dict, loaded_at) -> Indicator:
    """Edits an indicator (everything but its active flag).

    Raises ConflictError when the form is stale, ServiceError when a rule of the module is broken."""
    check_fresh(indicator, loaded_at)
    data = _clean_indicator(data)
    data.setdefault("sort_order", indicator.sort_order)
    _check_code_free(data["code"], indicator.id)
    used = usage(indicator)
    if data["code"] != indicator.code and used.used:
        raise ServiceError(
            _l("Le code d'un indicateur déjà utilisé par des cibles ou des valeurs ne peut plus changer : "
               "les rapports et les exports s'y réfèrent."),
            field="code",
        )
    if used.values:
        for name in MEANING_FIELDS:
            if data[name] != getattr(indicator, name):
                raise ServiceError(
                    _l("Des valeurs sont déjà saisies pour cet indicateur (%(num)s) : changer son unité, son type "
                       "ou sa ventilation changerait le sens des chiffres enregistrés. Créez plutôt un nouvel "
                       "indicateur et désactivez celui-ci.", num=used.values),
                    field=name,
                )
    if used.targets and data["unit"] != indicator.unit:
        raise ServiceError(
            _l("Des cibles utilisent cet indicateur (%(num)s) : changer son unité changerait le sens de leurs "
               "valeurs. Créez plutôt un nouvel indicateur.", num=used.targets),
            field="unit",
        )
    if indicator.allow_negative and not data["allow_negative"] and _has_negative_figures(indicator):
        raise ServiceError(
            _l("Des valeurs ou des cibles négatives sont enregistrées pour cet indicateur : "
               "il doit continuer à accepter les valeurs négatives."),
            field="allow_negative",
        )
    audit.update(actor, indicator, "indicator", INDICATOR_FIELDS, data)
    return indicator


def set_active(actor, indicator: Indicator, active: bool) -> Indicator:
    """Deactivation hides the indicator from new targets and report forms; existing targets and values
    stay and keep counting. Reactivation offers it again. Doing what is already done changes nothing."""
    if indicator.active == active:
        return indicator
    indicator.active = active
    db.session.flush()
    audit.record(actor, "reactivate" if active else "deactivate", "indicator", indicator.id,
                 {"active": [not active, active]})
    return indicator


def delete_indicator(actor, indicator: Indicator) -> None:
    """Deletes an indicator nothing uses; raises ServiceError when targets or values use it."""
    used = usage(indicator)
    if used.used:
        raise ServiceError(
            _l("Cet indicateur est utilisé par des cibles ou des valeurs déjà saisies : il ne peut pas être "
               "supprimé. Désactivez-le pour ne plus le proposer.")
        )
    before = audit.snapshot(indicator, INDICATOR_FIELDS)
    indicator_id = indicator.id
    db.session.delete(indicator)
    db.session.flush()
    audit.record(actor, "delete", "indicator", indicator_id, audit.diff(before, {}))


# ---------------------------------------------------------------- targets

@dataclass
class TargetInput:
    """One row of the targets form, parsed. `version` is the version of the target the row was loaded
    from (None: there was no target); `delete` asks to remove the existing target."""

    indicator_id: int
    version: int | None = None
    baseline_value: Decimal | None = None
    baseline_date: dt.date | None = None
    target_value: Decimal | None = None
    target_date: dt.date | None = None
    delete: bool = False

    def is_blank(self) -> bool:
        return all(getattr(self, name) is None for name in TARGET_FIELDS)

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in TARGET_FIELDS}


@dataclass
class TargetsResult:
    created: list[int] = field(default_factory=list)  # indicator ids
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.created) + len(self.updated) + len(self.deleted)


class TargetRowsError(ServiceError):
    """Some rows broke a rule or were changed by someone else since the form was loaded; nothing was written.

    `errors`: {indicator_id: {field name or None: [messages]}}; `conflicts`: ids of the rows in conflict."""

    def __init__(self, message, errors: dict[int, dict[str | None, list]], conflicts: set[int]):
        super().__init__(message)
        self.errors = errors
        self.conflicts = conflicts


def check_figure(value: Decimal | None, allow_negative: bool) -> str | None:
    """The message for a figure a target or a report value may not hold, else None (usable by reports)."""
    if value is None:
        return None
    if not value.is_finite():
        return _l("Ce n'est pas un nombre.")
    if abs(value) >= MAX_ABS:
        return _l("Ce nombre est trop grand.")
    if value != value.quantize(CENT):
        return _l("Deux décimales au plus (pour les milliers, séparez-les par une espace : 1 234).")
    if value < 0 and not allow_negative:
        return _l("Cet indicateur n'accepte pas de valeur négative.")
    return None


def _row_errors(row: TargetInput, indicator: Indicator) -> dict[str | None, list]:
    errors: dict[str | None, list] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    for name in ("baseline_value", "target_value"):
        message = check_figure(getattr(row, name), indicator.allow_negative)
        if message:
            add(name, message)
    if row.target_value is None:
        add("target_value", _l("Indiquez la valeur cible, ou videz toute la ligne."))
    if row.baseline_date is not None and row.baseline_value is None:
        add("baseline_value", _l("Indiquez la valeur de référence de cette date."))
    if row.baseline_date and row.target_date and row.target_date <= row.baseline_date:
        add("target_date", _l("La date cible doit être postérieure à la date de référence."))
    return errors


def _quantized(row: TargetInput) -> dict:
    figures = row.figures()
    for name in ("baseline_value", "target_value"):
        if figures[name] is not None:
            figures[name] = figures[name].quantize(CENT)
    return figures


def _same(target: Target, figures: dict) -> bool:
    return all(getattr(target, name) == figures[name] for name in TARGET_FIELDS)


def _target_snapshot(target: Target) -> dict:
    """Figures at the column's two places, so "10" and "10.00" are not reported as a change."""
    snapshot = audit.snapshot(target, ["project_id", "indicator_id", "baseline_date", "target_date"])
    for name in ("baseline_value", "target_value"):
        value = getattr(target, name)
        snapshot[name] = str(Decimal(value).quantize(CENT)) if value is not None else None
    return snapshot


def save_targets(actor, project, rows: list[TargetInput]) -> TargetsResult:
    """Creates, updates and removes the project's targets as the rows ask, all or nothing.

    Rows for indicators not listed are left alone; an unchanged row writes nothing (and keeps its version, so
    colleagues editing other rows meet no conflict). Raises TargetRowsError (nothing written) when a row
    breaks a rule of the module or its target changed since the form was loaded."""
    return _apply_targets(actor, project, _plan_targets(project, rows))


_Plan = list[tuple[str, TargetInput, Indicator, Target | None]]


def _plan_targets(project, rows: list[TargetInput]) -> _Plan:
    """What each row asks ("create", "update" or "delete"), nothing written; raises TargetRowsError when a
    row breaks a rule or its target changed since the form was loaded."""
    allowed = {i.id: (i, t) for i, t in target_rows(project.id)}
    errors: dict[int, dict[str | None, list]] = {}
    conflicts: set[int] = set()
    seen: set[int] = set()
    plan: _Plan = []
    for row in rows:
        if row.indicator_id not in allowed or row.indicator_id in seen:
            errors[row.indicator_id] = {None: [_l("Cette ligne ne correspond à aucun indicateur proposé.")]}
            continue
        seen.add(row.indicator_id)
        indicator, target = allowed[row.indicator_id]
        if row.delete or row.is_blank():
            if target is None:
                continue  # no target, or already removed by someone else: both sides agree
            if target.version != row.version:
                if row.delete or row.version is not None:
                    conflicts.add(row.indicator_id)  # changed since loaded: removing it would lose their figures
                continue  # created by someone else meanwhile: not this blank row's to remove
            if not row.delete:
                errors[row.indicator_id] = {None: [
                    _l("Pour supprimer cette cible, cochez « Supprimer » ; sinon remettez ses valeurs.")
                ]}
                continue
            plan.append(("delete", row, indicator, target))
            continue
        row_errors = _row_errors(row, indicator)
        if row_errors:
            errors[row.indicator_id] = row_errors
        if target is None:
            if row.version is not None:
                conflicts.add(row.indicator_id)
            elif not row_errors:
                plan.append(("create", row, indicator, None))
        elif target.version != row.version:
            conflicts.add(row.indicator_id)
        elif not row_errors and not _same(target, _quantized(row)):
            plan.append(("update", row, indicator, target))
    if conflicts:
        raise TargetRowsError(CONFLICT_MESSAGE, errors, conflicts)
    if errors:
        raise TargetRowsError(_l("Certaines lignes contiennent des erreurs : rien n'a été enregistré."), errors, set())
    return plan


def _apply_targets(actor, project, plan: _Plan) -> TargetsResult:
    """Writes the planned rows, each audited."""
    result = TargetsResult()
    for action, row, indicator, target in plan:
        if action == "create":
            target = Target(project_id=project.id, indicator_id=indicator.id, **_quantized(row))
            db.session.add(target)
            db.session.flush()
            audit.record(actor, "create", "target", target.id, audit.diff({}, _target_snapshot(target)))
            result.created.append(indicator.id)
        elif action == "update":
            before = _target_snapshot(target)
            for name, value in _quantized(row).items():
                setattr(target, name, value)
            db.session.flush()
            audit.record(actor, "update", "target", target.id, audit.diff(before, _target_snapshot(target)))
            result.updated.append(indicator.id)
        else:
            before = _target_snapshot(target)
            target_id = target.id
            db.session.delete(target)
            db.session.flush()
            audit.record(actor, "delete", "target", target_id, audit.diff(before, {}))
            result.deleted.append(indicator.id)
    return result


def parse_figure(text: str | None) -> Decimal | None:
    """A figure typed by a person (`tracker.core.fields.parse_number`: "1 234,5", "1.234,5", Arabic-Indic
    digits…). Blank → None; ValueError when it is not a number. Extra decimals are kept for `check_figure`
    to refuse, so "1,234" is refused, never read as 1.234."""
    return parse_number(None if text is None else str(text))
