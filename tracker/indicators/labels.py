"""Translated labels of the indicators enumerations; the app factory registers them with core."""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tracker.core.currency import currency_unit
from tracker.indicators.models import IndicatorKind, Unit

LABELS = {
    # The dirham as each language writes it, through Babel ("DH", "درهم", "MAD"): tracker/core/currency.py.
    Unit: {Unit.COUNT: _l("nombre"), Unit.MAD: LazyString(currency_unit), Unit.HOURS: _l("heures"),
           Unit.PERCENT: _l("%")},
    IndicatorKind: {IndicatorKind.FLOW: _l("flux"), IndicatorKind.STOCK: _l("stock")},
}
