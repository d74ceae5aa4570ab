"""The report as translated tables: what the XLSX sheets, the CSV files and the PDF tables hold (issue 18).

`report_tables` turns the §12 dict into `Table`s whose titles, column headers and row labels are the
on-screen labels in the current locale (call inside `force_locale`); each value keeps its Python value and
its `formatting.Kind`, so every writer shows it the same way. The §12 key of every table, column and row is
kept beside its label (`Table.key`, `Column.key`, `Row.key`) for the XLSX "keys" sheet, never shown in
the tables themselves. Pure: no database (names of cohorts and indicators are passed in).
"""

from dataclasses import dataclass, field

from tracker.core.formatting import Kind, figure_kind, kind_of
from tracker.core.period_names import period_name
from tracker.periods.models import Cell
from tracker.reports import labels
from tracker.reports.compute import CELLS

SCALAR_SECTIONS = ("portfolio", "people", "trainings", "mentoring", "milestones")


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Value:
    value: object
    kind: Kind


@dataclass
class Row:
    key: str  # §12 path of the row ("portfolio.by_sector.digital", "indicators.jobs_created")
    label: str  # what the first column says (a measure, an indicator name, a period)
    values: list[Value]


@dataclass
class Table:
    key: str  # section key ("portfolio", "indicators", …)
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    long: bool = False  # two columns, measure | value


@dataclass
class Names:
    """Display names the §12 dict only has codes for."""

    cohorts: dict[str, str] = field(default_factory=dict)  # slug → name
    indicators: dict[str, str] = field(default_factory=dict)  # code → name in the locale


def flatten(prefix: str, value) -> list[tuple[str, object]]:
    """Nested maps as dotted keys, in insertion order: {"by_sector": {"digital": 2}} → by_sector.digital."""
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            out.extend(flatten(f"{prefix}.{key}" if prefix else str(key), sub))
        return out
    return [(prefix, value)]


def _measures(section: str) -> list[Column]:
    """The two columns of a long table; the row keys carry the §12 paths."""
    return [Column("", str(text)) for _key, text in labels.MEASURE_COLUMNS]


def filters_table(report: dict, names: Names, generated_at=None) -> Table:
    table = Table("filters", labels.title("filters"), _measures("filters"), long=True)
    filters = report["filters"]
    for slug in filters.get("cohorts", []):
        shown = f"{names.cohorts[slug]} ({slug})" if slug in names.cohorts else slug
        table.rows.append(Row("filters.cohorts", labels.key_label("filters", "cohorts"), [Value(shown, Kind.TEXT)]))
    for key, value in filters.items():
        if key != "cohorts":
            table.rows.append(Row(f"filters.{key}", labels.key_label("filters", key),
                                  [Value(value, kind_of(value))]))
    if generated_at is not None:
        table.rows.append(Row("generated_at", labels.key_label("filters", "generated_at"),
                              [Value(generated_at, Kind.DATETIME)]))
    return table


def scalar_table(report: dict, section: str) -> Table:
    table = Table(section, labels.title(section), _measures(section), long=True)
    for key, value in flatten("", report[section]):
        table.rows.append(Row(f"{section}.{key}", labels.key_label(section, key),
                              [Value(value, labels.value_kind(key, value))]))
    return table


def _disaggregated(report: dict) -> bool:
    return any(row.get("cells") for row in report["indicators"])


def indicators_table(report: dict, names: Names) -> Table:
    columns = [Column(f"indicators[].{k}" if k != "name" else "indicators[].code", str(text))
               for k, text in labels.INDICATOR_COLUMNS]
    with_cells = _disaggregated(report)
    if with_cells:
        columns += [Column(f"indicators[].cells.{c}", labels.enum_label(Cell, c)) for c in CELLS]
    table = Table("indicators", labels.title("indicators"), columns)
    for ind in report["indicators"]:
        unit = ind["unit"]
        values = [
            Value(labels.unit_label(unit), Kind.TEXT),
            Value(labels.kind_label(ind["kind"]), Kind.TEXT),
            Value(labels.aggregation_label(unit), Kind.TEXT),
            Value(ind.get("projects_reporting"), Kind.COUNT),
            *(Value(ind[k], figure_kind(ind[k], unit)) for k in ("baseline", "target", "actual")),
            Value(ind["progress"], Kind.RATE),
        ]
        if with_cells:
            cells = ind.get("cells") or {}
            values += [Value(cells.get(c), figure_kind(cells.get(c), unit)) for c in CELLS]
        table.rows.append(Row(f"indicators.{ind['code']}", names.indicators.get(ind["code"], ind["code"]), values))
    return table


def completeness_table(report: dict) -> Table:
    columns = [Column(f"completeness[].{k}", str(text)) for k, text in labels.COMPLETENESS_COLUMNS]
    table = Table("completeness", labels.title("completeness"), columns)
    for row in report["completeness"]:
        table.rows.append(Row(f"completeness.{row['period']}", period_name(row["period"]),
                              [Value(row[k], Kind.COUNT) for k in ("owed", "submitted", "approved")]))
    return table


def trends_table(report: dict, names: Names) -> Table:
    """One row per indicator and period: the period's value, the cumulative figure, the target, progress."""
    columns = [Column(f"trends[].{k}" if k != "name" else "trends[].code", str(text))
               for k, text in labels.TREND_COLUMNS]
    table = Table("trends", labels.title("trends"), columns)
    for trend in report.get("trends", []):
        unit, name = trend["unit"], names.indicators.get(trend["code"], trend["code"])
        for period in trend["periods"]:
            table.rows.append(Row(f"trends.{trend['code']}.{period['period']}", name, [
                Value(period_name(period["period"]), Kind.TEXT),
                Value(period["value"], figure_kind(period["value"], unit)),
                Value(period["cumulative"], figure_kind(period["cumulative"], unit)),
                Value(trend["target"], figure_kind(trend["target"], unit)),
                Value(period["progress"], Kind.RATE),
                Value(period["projects_reporting"], Kind.COUNT),
            ]))
    return table


def report_tables(report: dict, names: Names | None = None, generated_at=None) -> dict[str, Table]:
    """Every table of the report, in §12 order, translated in the current locale."""
    names = names or Names()
    out = {"filters": filters_table(report, names, generated_at)}
    for section in SCALAR_SECTIONS:
        out[section] = scalar_table(report, section)
    out["indicators"] = indicators_table(report, names)
    out["completeness"] = completeness_table(report)
    out["trends"] = trends_table(report, names)
    return out
