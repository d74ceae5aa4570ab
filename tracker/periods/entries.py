"""What a period report holds for each indicator, and the values typed by people. Pure: no database.

Values typed by people (`parse_decimal`, `value_error`): "1 234,5", "1234.5", "1,234.5", "1.234,5" and
Arabic-Indic digits are read; anything ambiguous (more than two decimals, such as "1,500") is refused rather
than guessed.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l

from tracker.core.fields import parse_number
from tracker.indicators.models import Indicator, Unit
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, PeriodReport

MAX_VALUE = Decimal("1e16")  # Numeric(18, 2)
COMMENT_MAX = 1000


def cells_of(indicator: Indicator) -> tuple[Cell, ...]:
    return DISAGGREGATED_CELLS if indicator.disaggregated else (Cell.TOTAL,)


@dataclass
class IndicatorEntry:
    """What a report holds for one indicator: a value per cell (None = left blank) and a comment.

    `typed_total` is the control total typed beside a disaggregated indicator's cells (never stored:
    `tracker.periods.validation`)."""

    cells: dict[Cell, Optional[Decimal]]
    comment: Optional[str] = None
    typed_total: Optional[Decimal] = None

    @property
    def total(self) -> Optional[Decimal]:
        """The sum of the five cells typed in, or the single `total` cell when none is (as progress counts
        it); None when every cell is blank."""
        breakdown = [v for c, v in self.cells.items() if c != Cell.TOTAL and v is not None]
        if breakdown:
            return sum(breakdown, Decimal(0))
        return self.cells.get(Cell.TOTAL)


def report_entries(report: PeriodReport | None) -> dict[int, IndicatorEntry]:
    """{indicator id: entry} as stored. The comment sits on one cell of the indicator (the first one)."""
    entries: dict[int, IndicatorEntry] = {}
    if report is None:
        return entries
    order = {cell: n for n, cell in enumerate((Cell.TOTAL, *DISAGGREGATED_CELLS))}
    for value in sorted(report.values, key=lambda v: (v.indicator_id, order[v.cell])):
        entry = entries.setdefault(value.indicator_id, IndicatorEntry({}))
        entry.cells[value.cell] = value.value
        if value.comment and not entry.comment:
            entry.comment = value.comment
    return entries


# ---------------------------------------------------------------- values typed by people

def parse_decimal(text: str) -> Decimal:
    """Reads a number as people type it (`tracker.core.fields.parse_number`: "1 234,5", "1.234,5", "١٢٫٥"…);
    raises ValueError when it is blank or cannot be read without guessing. Extra decimals are kept ("1,500"
    reads 1.500), so `value_error` refuses them."""
    number = parse_number(text)
    if number is None:
        raise ValueError(text)
    return number


def value_error(indicator: Indicator, value: Decimal):
    """The lazy translated message when `value` breaks the indicator's rules, else None."""
    if value.as_tuple().exponent < -2:
        return _l("Au plus deux chiffres après la virgule. Pour grouper les milliers, utilisez une espace "
                  "(exemple : 1 234,5).")
    if abs(value) >= MAX_VALUE:
        return _l("Cette valeur est trop grande.")
    if value < 0 and not indicator.allow_negative:
        return _l("La valeur ne peut pas être négative.")
    if indicator.unit == Unit.PERCENT and value > 100:
        return _l("Un pourcentage ne peut pas dépasser 100.")
    if indicator.unit == Unit.COUNT and value != value.to_integral_value():
        return _l("Saisissez un nombre entier.")
    return None
