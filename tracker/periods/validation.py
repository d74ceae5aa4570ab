"""Validation rules of the period reports (DESIGN §5, issue 14 item 7), declared once.

Each rule has a stable `code`, a `severity`, a short title and a translated message with named
placeholders. `check(facts)` runs them all on one report's figures; the holder's form runs it on what was
typed or saved, the reviewer's page on what was submitted, so both see the same findings. This module is
pure (no database, no request): `tracker.periods.checks` gathers the facts.

Arithmetic (severity ERROR: blocks saving, submitting and approving)
    A disaggregated indicator's total is the sum of its five cells (DESIGN §4) and is never stored for
    them, so the cells alone can never disagree with it. A total can also be *typed*: the form offers, beside
    the five cells, an optional control total ("Total connu"), and a report may hold a `total` row beside
    the cells when its figures were written by another path (an older version, a script). When such a total
    is there:
    - `cell_above_total`: one cell is greater than the total it belongs to (a typed total is often typed
      into a cell as well). Not applied to indicators allowing negative values, where a net figure may split
      into +5 and −3;
    - `cells_not_total`: the cells do not add up to the total (more, or fewer: what is not known goes into
      "not stated", so the counted figure is never less than what the holder declared).
    The control total is a check only: once the cells agree with it, the cells are stored and the total
    stays their sum, so exports and progress are unchanged.

Plausibility (severity WARNING: shown, never blocks). "Previous" figures come from the project's earlier
reports that were submitted or approved (drafts and returned reports are not figures anybody stood behind);
the totals compared are each indicator's total (sum of the cells).
    - `jobs_implausible`: jobs created in the period (indicator `jobs_created`) above
      max(JOBS_FLOOR, JOBS_MULTIPLE × (declared team + jobs created in earlier periods)). The team is the
      people on the project's team page; the jobs created before are people already working there. Growing
      by more than twice the people already in the project in one period is rare for a young enterprise;
      below JOBS_FLOOR jobs the rule stays silent, so a two-person team may hire five without a warning;
    - `stock_drop`: a stock indicator falls below half of its value in the latest earlier period that
      holds it (only when that value was positive);
    - `flow_jump`: a flow indicator rises above FLOW_FACTOR times its value in the latest earlier period
      that holds it (only when that value was positive: from zero any figure is a start, not a jump);
    - `before_forum`: figures for a period that ended before the cohort's forum date (results count from
      the forum; earlier figures are the project's baseline).

`limits(facts)` states the plausibility bounds as numbers (above / below which a total warns) so the form's
script can show the same warning while the holder types; `check` compares the totals with the same bounds.
"""

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from tracker.core.dates import LONG, date_text
from tracker.core.i18n import isolate, label
from tracker.core.period_names import period_name
from tracker.indicators.models import Indicator, IndicatorKind
from tracker.periods.calendar import Period
from tracker.periods.entries import DISAGGREGATED_CELLS, IndicatorEntry
from tracker.periods.models import Cell, ReportStatus

JOBS_CODE = "jobs_created"
JOBS_MULTIPLE = Decimal(2)
JOBS_FLOOR = Decimal(5)
STOCK_FLOOR_RATIO = Decimal("0.5")
FLOW_FACTOR = Decimal(5)
# Earlier figures the rules compare with (and the reviewer sees): what the project stood behind.
COMPARED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
VALUE_MARK = "__VALUE__"


class Severity(enum.StrEnum):
    ERROR = "error"  # arithmetic: blocks saving, submitting and approving
    WARNING = "warning"  # plausibility: shown to the holder and the reviewer, never blocks


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: object  # lazy string
    message: object  # lazy string with named placeholders

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.ERROR


RULES: dict[str, Rule] = {rule.code: rule for rule in (
    Rule("cell_above_total", Severity.ERROR, _l("Case supérieure à son total"),
         _l("%(cell)s : %(value)s, plus que le total saisi (%(total)s). Corrigez la case ou le total.")),
    Rule("cells_not_total", Severity.ERROR, _l("Cases différentes du total"),
         _l("Les cases font %(sum)s, le total saisi est %(total)s. Corrigez le total ou la répartition : "
            "ce que vous ne savez pas répartir va dans « Non précisé ».")),
    Rule("jobs_implausible", Severity.WARNING, _l("Emplois créés peu plausibles"),
         _l("%(value)s emplois créés sur la période, au-delà de %(limit)s (équipe déclarée : %(team)s ; "
            "emplois créés aux périodes précédentes : %(previous)s). Vérifiez ce chiffre ou expliquez-le en "
            "commentaire.")),
    Rule("stock_drop", Severity.WARNING, _l("Baisse de plus de moitié"),
         _l("%(value)s contre %(previous)s en %(period)s : baisse de plus de moitié. Vérifiez ce chiffre ou "
            "expliquez la baisse en commentaire.")),
    Rule("flow_jump", Severity.WARNING, _l("Plus de cinq fois la période précédente"),
         _l("%(value)s contre %(previous)s en %(period)s : plus de %(factor)s fois plus. Vérifiez ce chiffre "
            "(un zéro de trop ?) ou expliquez-le en commentaire.")),
    Rule("before_forum", Severity.WARNING, _l("Période antérieure au forum"),
         _l("Cette période s'est terminée le %(end)s, avant le forum du %(forum)s : les chiffres d'avant "
            "l'accompagnement sont la situation de départ du projet, pas des résultats. Vérifiez la période.")),
)}


@dataclass(frozen=True)
class Finding:
    """One rule broken by one report. `indicator_id` is None for the whole report; `cell` names the cell at
    fault, `on_total` says the typed total is (the field the message goes next to)."""

    code: str
    indicator_id: int | None = None
    cell: Cell | None = None
    on_total: bool = False
    params: tuple = ()  # ((name, value), …): hashable, formatted in the reader's language by `message`

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def blocks(self) -> bool:
        return self.rule.blocks

    @property
    def key(self) -> str:
        """Stable identity of the finding on a page: rule, indicator, cell."""
        return f"{self.code}:{self.indicator_id or ''}:{self.cell.value if self.cell else ''}"

    @property
    def message(self) -> str:
        return str(self.rule.message) % {name: show(value) for name, value in self.params}


class PeriodCode(str):
    """A stored period code among a message's placeholders: `show` writes it in the reader's words."""


def show(value) -> str:
    """A placeholder value as the reader's language writes it; numbers, dates and labels kept in one piece
    inside Arabic sentences."""
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral() else value
        return isolate(format_decimal(value))
    if isinstance(value, int):
        return isolate(format_decimal(value))
    if isinstance(value, dt.date):
        return date_text(value, LONG)
    if isinstance(value, Cell):
        return str(label(value))
    if isinstance(value, PeriodCode):
        return isolate(period_name(value))
    return isolate(value)


# ---------------------------------------------------------------- facts

@dataclass(frozen=True)
class Earlier:
    """One earlier report of the project (COMPARED_STATUSES only), as the comparison needs it."""

    label: str
    start: dt.date
    end: dt.date
    status: ReportStatus
    entries: dict[int, IndicatorEntry] = field(default_factory=dict)


@dataclass
class Facts:
    """Everything the rules look at for one report; `earlier` is oldest first."""

    period: Period
    indicators: list[Indicator]
    entries: dict[int, IndicatorEntry]
    forum_date: dt.date | None = None
    team_size: int = 0
    earlier: list[Earlier] = field(default_factory=list)

    def previous(self, indicator_id: int) -> tuple[Earlier, Decimal] | None:
        """The latest earlier report holding a value for this indicator, and that value (its total)."""
        for report in reversed(self.earlier):
            entry = report.entries.get(indicator_id)
            if entry is not None and entry.total is not None:
                return report, entry.total
        return None

    def earlier_sum(self, indicator_id: int) -> Decimal:
        totals = (r.entries[indicator_id].total for r in self.earlier if indicator_id in r.entries)
        return sum((t for t in totals if t is not None), Decimal(0))


@dataclass(frozen=True)
class Limit:
    """A plausibility bound on one indicator's total: warns above `above` or below `below`. `params` are the
    message's placeholders other than the value typed."""

    code: str
    indicator_id: int
    above: Decimal | None = None
    below: Decimal | None = None
    params: tuple = ()

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def blocks(self) -> bool:
        return self.rule.blocks

    @property
    def bounds(self) -> dict[str, str]:
        """The bounds as plain decimal text, for the form's script (`data-above`, `data-below`)."""
        return {name: format(value, "f") for name, value in (("above", self.above), ("below", self.below))
                if value is not None}

    def broken_by(self, total: Decimal | None) -> bool:
        if total is None:
            return False
        return (self.above is not None and total > self.above) or (self.below is not None and total < self.below)

    def finding(self, total) -> Finding:
        return Finding(self.code, self.indicator_id, params=(("value", total), *self.params))

    @property
    def message_template(self) -> str:
        """The warning with VALUE_MARK for the value: the form's script puts the typed total in its place."""
        return self.finding(VALUE_MARK).message


# ---------------------------------------------------------------- the rules

def declared_total(indicator: Indicator, entry: IndicatorEntry) -> Decimal | None:
    """The total typed beside a disaggregated indicator's cells (control total, or a stored total row)."""
    if not indicator.disaggregated:
        return None
    return entry.typed_total if entry.typed_total is not None else entry.cells.get(Cell.TOTAL)


def arithmetic(indicators: Iterable[Indicator], entries: dict[int, IndicatorEntry]) -> list[Finding]:
    """`cell_above_total` and `cells_not_total` (module docstring); one finding per indicator at most for
    the sum, one per cell above the total."""
    findings = []
    for indicator in indicators:
        entry = entries.get(indicator.id)
        total = declared_total(indicator, entry) if entry is not None else None
        if total is None:
            continue
        cells = {c: entry.cells[c] for c in DISAGGREGATED_CELLS if entry.cells.get(c) is not None}
        above = [] if indicator.allow_negative else [c for c, v in cells.items() if v > total]
        for cell in above:
            findings.append(Finding("cell_above_total", indicator.id, cell,
                                    params=(("cell", cell), ("value", cells[cell]), ("total", total))))
        cells_sum = sum(cells.values(), Decimal(0))
        if not above and cells_sum != total:
            findings.append(Finding("cells_not_total", indicator.id, on_total=True,
                                    params=(("sum", cells_sum), ("total", total))))
    return findings


def _jobs_limit(facts: Facts, indicator: Indicator) -> Limit:
    previous = facts.earlier_sum(indicator.id)
    limit = max(JOBS_FLOOR, JOBS_MULTIPLE * (facts.team_size + previous))
    return Limit("jobs_implausible", indicator.id, above=limit,
                 params=(("limit", limit), ("team", facts.team_size), ("previous", previous)))


def _trend_limit(facts: Facts, indicator: Indicator) -> Limit | None:
    found = facts.previous(indicator.id)
    if found is None or found[1] <= 0:
        return None
    report, value = found
    params = (("previous", value), ("period", PeriodCode(report.label)))
    if indicator.kind == IndicatorKind.STOCK:
        return Limit("stock_drop", indicator.id, below=value * STOCK_FLOOR_RATIO, params=params)
    return Limit("flow_jump", indicator.id, above=value * FLOW_FACTOR, params=(*params, ("factor", FLOW_FACTOR)))


def limits(facts: Facts) -> list[Limit]:
    """The plausibility bounds of every indicator of the report (jobs, then stock/flow trends)."""
    result = []
    for indicator in facts.indicators:
        if indicator.code == JOBS_CODE:
            result.append(_jobs_limit(facts, indicator))
        trend = _trend_limit(facts, indicator)
        if trend is not None:
            result.append(trend)
    return result


def _before_forum(facts: Facts) -> list[Finding]:
    if facts.forum_date is None or facts.period.end >= facts.forum_date:
        return []
    if not any(entry.total is not None for entry in facts.entries.values()):
        return []
    return [Finding("before_forum", params=(("end", facts.period.end), ("forum", facts.forum_date)))]


def check(facts: Facts) -> list[Finding]:
    """Every rule on the report: blocking findings first, then the report-wide ones, then per indicator in
    the report's order."""
    findings = arithmetic(facts.indicators, facts.entries)
    findings += _before_forum(facts)
    for limit in limits(facts):
        entry = facts.entries.get(limit.indicator_id)
        total = entry.total if entry is not None else None
        if limit.broken_by(total):
            findings.append(limit.finding(total))
    return findings
