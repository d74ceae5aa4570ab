"""Forms of the period reports: the report itself (built per project from its indicators), the review
and the reopening. Values are read by `entries.parse_decimal` and checked by `entries.value_error`;
the workflow checks them again, so a form is never the only guard."""

from decimal import Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from tracker.core.fields import VersionField
from tracker.core.forms import FlaskForm, int_or_none  # the text gate (core/text.py) on every field
from tracker.core.i18n import label
from tracker.indicators.models import Indicator
from tracker.periods import validation
from tracker.periods.entries import COMMENT_MAX, IndicatorEntry, cells_of, parse_decimal, value_error
from tracker.periods.models import Cell
from tracker.periods.workflow import (
    NARRATIVE_FIELDS,
    NARRATIVE_MAX,
    REVIEW_COMMENT_MAX,
    comment_field,
    finding_field,
    total_field,
    value_field,
)


class DecimalTextField(StringField):
    """A number as people type it ("1 234,5", "1234.5", Arabic-Indic digits). Blank means no value.

    After validation `decimal` holds the value read, or None when blank or invalid.
    """

    def __init__(self, label=None, validators=None, indicator: Indicator | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.indicator = indicator
        self.decimal: Decimal | None = None

    def pre_validate(self, form):
        self.decimal = None
        text = (self.data or "").strip()
        if not text:
            return
        if len(text) > 40:
            raise ValidationError(_l("Saisissez un nombre (exemple : 1 234,5)."))
        try:
            value = parse_decimal(text)
        except ValueError:
            raise ValidationError(_l("Saisissez un nombre (exemple : 1 234,5).")) from None
        message = value_error(self.indicator, value)
        if message:
            raise ValidationError(message)
        self.decimal = value


class ReportForm(FlaskForm):
    """The narrative and the version; `report_form_class` adds one field per cell, a control total per
    disaggregated indicator and a comment per indicator. The buttons are plain
    <button name="action" value="save|submit">. `validate()` also runs the arithmetic rules of
    `tracker.periods.validation` (cells against the control total), which block saving."""

    highlights = TextAreaField(_l("Faits marquants de la période"), validators=[Optional(), Length(max=NARRATIVE_MAX)],
                               description=_l("Ventes, partenariats, recrutements, nouveaux produits…"),
                               render_kw={"rows": 3, "dir": "auto"})
    difficulties = TextAreaField(_l("Difficultés rencontrées"), validators=[Optional(), Length(max=NARRATIVE_MAX)],
                                 render_kw={"rows": 2, "dir": "auto"})
    support_needed = TextAreaField(_l("Appui souhaité de la part du programme"),
                                   validators=[Optional(), Length(max=NARRATIVE_MAX)],
                                   render_kw={"rows": 2, "dir": "auto"})
    version = VersionField()

    indicators: list[Indicator] = []

    def value_fields(self, indicator: Indicator) -> list[DecimalTextField]:
        return [self[value_field(indicator.id, cell)] for cell in cells_of(indicator)]

    def comment(self, indicator: Indicator):
        return self[comment_field(indicator.id)]

    def control_total(self, indicator: Indicator) -> "DecimalTextField | None":
        return self[total_field(indicator.id)] if indicator.disaggregated else None

    def entries(self) -> dict[int, IndicatorEntry]:
        """{indicator id: IndicatorEntry} as typed (call after validate())."""
        result = {}
        for indicator in self.indicators:
            cells = {cell: self[value_field(indicator.id, cell)].decimal for cell in cells_of(indicator)}
            control = self.control_total(indicator)
            result[indicator.id] = IndicatorEntry(cells, (self.comment(indicator).data or "").strip() or None,
                                                  control.decimal if control is not None else None)
        return result

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # An unreadable cell is not zero: its indicator's sum is checked once the cell can be read.
        readable = [i for i in self.indicators
                    if not any(f.errors for f in [*self.value_fields(i), self.control_total(i)] if f is not None)]
        findings = validation.arithmetic(readable, self.entries())
        self.add_errors({finding_field(f): f.message for f in findings})
        return valid and not findings

    def totals(self) -> dict[int, Decimal | None]:
        """Each disaggregated indicator's total, from the cells as typed: computed here, never taken from the
        request. None when every cell is blank or when one cannot be counted (unreadable, or refused by the
        indicator's rules): a partial sum would show a number for input that is wrong
        (`invalid_totals` names those)."""
        result = {}
        invalid = self.invalid_totals()
        for indicator in self.indicators:
            if indicator.disaggregated:
                present = [self._cell_value(f) for f in self.value_fields(indicator)]
                present = [v for v in present if v is not None]
                result[indicator.id] = (sum(present, Decimal(0)) if present and indicator.id not in invalid
                                        else None)
        return result

    def invalid_totals(self) -> set[int]:
        """The disaggregated indicators with a cell that cannot be counted as typed."""
        return {indicator.id for indicator in self.indicators if indicator.disaggregated
                and any(f.errors or self._cell_error(indicator, f) for f in self.value_fields(indicator))}

    @staticmethod
    def _cell_value(f) -> Decimal | None:
        try:
            return parse_decimal(f.data) if (f.data or "").strip() else None
        except ValueError:
            return None

    @staticmethod
    def _cell_error(indicator: Indicator, f) -> bool:
        text = (f.data or "").strip()
        if not text:
            return False
        try:
            return value_error(indicator, parse_decimal(text)) is not None
        except ValueError:
            return True

    def error_links(self, locale: str) -> list[tuple[str, str, str]]:
        """(field id, what the field is, first message) of every field in error, in the order of the page:
        the error summary at the top of the form links to each (WCAG 3.3.1)."""
        links = []
        for indicator in self.indicators:
            name = indicator.name(locale)
            fields = [*self.value_fields(indicator), self.control_total(indicator), self.comment(indicator)]
            for f in fields:
                if f is not None and f.errors:
                    what = name if f.name == value_field(indicator.id, Cell.TOTAL) else f"{name} · {f.label.text}"
                    links.append((f.id, what, str(f.errors[0])))
        for name in NARRATIVE_FIELDS:
            f = self[name]
            if f.errors:
                links.append((f.id, str(f.label.text), str(f.errors[0])))
        return links

    def narrative(self) -> dict:
        return {name: self[name].data for name in NARRATIVE_FIELDS}

    def report_data(self) -> dict:
        """What `workflow.save_report` takes from the form besides the version (call after validate())."""
        return {"entries": self.entries(), "narrative": self.narrative()}

    def add_errors(self, errors: dict) -> None:
        """Puts service errors ({field name: message}) next to their fields, each message once."""
        for name, message in errors.items():
            if name in self._fields and str(message) not in self[name].errors:
                self[name].errors = list(self[name].errors) + [str(message)]


def report_form_class(indicators: list[Indicator]) -> type[ReportForm]:
    """A ReportForm subclass with, per indicator, its cells (`v_<id>_<cell>`) and comment (`c_<id>`)."""

    class _ReportForm(ReportForm):
        pass

    for indicator in indicators:
        # iOS's decimal keypad has no minus sign: indicators that may go negative get the full keyboard.
        render_kw = {"inputmode": "text" if indicator.allow_negative else "decimal", "autocomplete": "off",
                     "spellcheck": "false", "data-unit": indicator.unit.value}
        if indicator.allow_negative:
            render_kw["data-negative"] = ""
        for cell in cells_of(indicator):
            text = label(cell) if indicator.disaggregated else _l("Valeur")
            setattr(_ReportForm, value_field(indicator.id, cell),
                    DecimalTextField(text, indicator=indicator, render_kw=dict(render_kw, **{"data-cell": cell.value})))
        if indicator.disaggregated:
            setattr(_ReportForm, total_field(indicator.id), DecimalTextField(
                _l("Total connu (facultatif)"), indicator=indicator,
                description=_l("Pour vérifier votre saisie : les cases devront faire ce total."),
                render_kw=dict(render_kw, **{"data-control-total": ""})))
        setattr(_ReportForm, comment_field(indicator.id),
                StringField(_l("Commentaire (facultatif)"), validators=[Optional(), Length(max=COMMENT_MAX)],
                            render_kw={"dir": "auto", "maxlength": COMMENT_MAX}))
    _ReportForm.indicators = list(indicators)
    return _ReportForm


def input_text(value: Decimal | None, locale: str) -> str:
    """A stored value as the input shows it: no grouping, the locale's decimal sign (read back as is)."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", get_decimal_symbol(locale))


def initial_data(indicators: list[Indicator], entries: dict[int, IndicatorEntry], report, locale: str) -> dict:
    data = {name: getattr(report, name) if report is not None else None for name in NARRATIVE_FIELDS}
    for indicator in indicators:
        entry = entries.get(indicator.id, IndicatorEntry({}))
        for cell in cells_of(indicator):
            data[value_field(indicator.id, cell)] = input_text(entry.cells.get(cell), locale)
        if indicator.disaggregated:
            # The control total is never stored; a `total` row written by another path is shown in its place.
            data[total_field(indicator.id)] = input_text(entry.cells.get(Cell.TOTAL), locale)
        data[comment_field(indicator.id)] = entry.comment or ""
    return data


def entry_totals(indicators: list[Indicator], entries: dict[int, IndicatorEntry]) -> dict[int, Decimal | None]:
    return {i.id: entries[i.id].total if i.id in entries else None for i in indicators}


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Commentaire pour le porteur de projet"),
                            validators=[Optional(), Length(max=REVIEW_COMMENT_MAX)],
                            description=_l("Obligatoire pour renvoyer le rapport : dites précisément quoi corriger."),
                            render_kw={"rows": 4, "dir": "auto"})
    version = VersionField()


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Motif de la réouverture"), validators=[Optional(), Length(max=REVIEW_COMMENT_MAX)],
                           description=_l("Obligatoire. Le motif est enregistré dans le journal d'audit et montré "
                                          "au porteur de projet."),
                           render_kw={"rows": 3, "dir": "auto"})
    version = VersionField()


class ReassignForm(FlaskForm):
    """The new reviewer of the reports ticked in the review queue (`report_ids`, read from the posted list)."""

    reviewer_id = SelectField(_l("Nouvelle personne chargée de la relecture"), coerce=int_or_none,
                              validate_choice=False,
                              validators=[DataRequired(message=_l("Choisissez la personne qui relira."))])

