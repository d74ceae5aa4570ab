from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.core.fields import LocaleDateField, LocaleIntegerField, OptionalSelectField, normalise_typed, strip
from tracker.core.forms import FlaskForm, Form, int_or_none  # the text gate (core/text.py) on every field
from tracker.core.i18n import choices
from tracker.indicators.models import IndicatorKind, Unit
from tracker.indicators.services import TARGET_FIELDS, TargetInput, parse_figure


class FigureField(StringField):
    """A decimal typed as text (`inputmode="decimal"`): number inputs refuse the French decimal comma.

    Accepts "1 234,5" as well as "1234.5" (see `services.parse_figure`); shows a stored figure with the
    user's decimal separator and no grouping, and an unreadable entry exactly as typed."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "dir": "ltr"} | kwargs.pop("render_kw", {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_figure(normalise_typed(valuelist[0]))
        except ValueError:
            self.data = None
            raise ValueError(_l("Ce n'est pas un nombre : écrivez par exemple 1 234,5 ou 1234.5.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.##", locale=str(get_locale() or "fr"))


class IndicatorForm(FlaskForm):
    code = StringField(
        _l("Code"), filters=[strip],
        validators=[DataRequired(message=_l("Le code est obligatoire.")), Length(max=40)],
        description=_l("Identifiant stable utilisé par les rapports et les exports : lettres minuscules, chiffres "
                       "et « _ », par exemple jobs_created. Il ne peut plus changer une fois l'indicateur utilisé."),
        render_kw={"dir": "ltr", "autocomplete": "off"},
    )
    name_fr = StringField(_l("Nom en français"), filters=[strip],
                          validators=[DataRequired(message=_l("Le nom en français est obligatoire.")),
                                      Length(max=200)],
                          render_kw={"lang": "fr", "dir": "ltr"})
    name_ar = StringField(_l("Nom en arabe"), filters=[strip],
                          validators=[DataRequired(message=_l("Le nom en arabe est obligatoire.")), Length(max=200)],
                          render_kw={"lang": "ar", "dir": "rtl"})
    name_en = StringField(_l("Nom en anglais"), filters=[strip],
                          validators=[DataRequired(message=_l("Le nom en anglais est obligatoire.")),
                                      Length(max=200)],
                          render_kw={"lang": "en", "dir": "ltr"})
    unit = OptionalSelectField(_l("Unité"), validators=[DataRequired(message=_l("Choisissez l'unité."))])
    kind = OptionalSelectField(
        _l("Type"), validators=[DataRequired(message=_l("Choisissez le type : flux ou stock."))],
        description=_l("Flux : les valeurs des périodes s'additionnent (chiffre d'affaires, emplois créés). "
                       "Stock : seule la dernière valeur compte (effectif actuel)."),
    )
    disaggregated = BooleanField(
        _l("Ventilé par sexe et âge"),
        description=_l("Saisi en cinq cases : femmes jeunes, femmes non jeunes, hommes jeunes, hommes non jeunes, "
                       "non précisé."),
    )
    allow_negative = BooleanField(
        _l("Valeurs négatives autorisées"),
        description=_l("Par exemple pour une marge ou un résultat net ; la plupart des chiffres ne peuvent pas "
                       "être négatifs."),
    )
    iris_ref = StringField(
        _l("Référence IRIS+"), filters=[strip], validators=[Optional(), Length(max=20)],
        description=_l("Deux lettres et quatre chiffres, par exemple PI3687. Laissez vide si aucune métrique du "
                       "catalogue IRIS+ n'a exactement le même sens : une référence devinée induirait en erreur."),
        render_kw={"dir": "ltr", "autocomplete": "off"},
    )
    sort_order = LocaleIntegerField(
        _l("Ordre d'affichage"), validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Les indicateurs sont listés par ordre croissant ; vide : à la fin."),
        render_kw={"inputmode": "numeric"},
    )
    loaded_at = HiddenField()  # the indicator's updated_at when the form was loaded (stale-form check)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = choices(Unit, blank=_l("— choisir —"))
        self.kind.choices = choices(IndicatorKind, blank=_l("— choisir —"))

    def indicator_data(self) -> dict:
        names = ("code", "name_fr", "name_ar", "name_en", "unit", "kind", "disaggregated", "allow_negative",
                 "iris_ref", "sort_order")
        return {name: self[name].data for name in names}


class TargetRowForm(Form):
    """One indicator's row. No CSRF of its own: the targets form carries it."""

    indicator_id = HiddenField(filters=[int_or_none])
    version = HiddenField(filters=[int_or_none])  # of the target the row was loaded from; blank: none
    baseline_value = FigureField(_l("Valeur de référence"))
    baseline_date = LocaleDateField(_l("Date de référence"), validators=[Optional()])
    target_value = FigureField(_l("Valeur cible"))
    target_date = LocaleDateField(_l("Date cible"), validators=[Optional()])
    delete = BooleanField(_l("Supprimer"))

    def to_input(self) -> TargetInput:
        return TargetInput(
            indicator_id=self.indicator_id.data,
            version=self.version.data,
            baseline_value=self.baseline_value.data,
            baseline_date=self.baseline_date.data,
            target_value=self.target_value.data,
            target_date=self.target_date.data,
            delete=bool(self.delete.data),
        )


class TargetsForm(FlaskForm):
    """Every indicator of a project in one form: one `rows-N-…` row each, matched by its indicator id."""

    rows = FieldList(FormField(TargetRowForm), min_entries=0, max_entries=500)

    def _append(self, indicator, target) -> TargetRowForm:
        row = self.rows.append_entry().form
        row.indicator_id.data = indicator.id
        if target is not None:
            row.version.data = target.version
            for name in TARGET_FIELDS:
                row[name].data = getattr(target, name)
        return row

    def fill(self, pairs) -> None:
        """A row per (indicator, target or None), from what is stored."""
        while self.rows.entries:
            self.rows.pop_entry()
        for indicator, target in pairs:
            self._append(indicator, target)

    def by_indicator(self) -> dict[int, TargetRowForm]:
        return {entry.form.indicator_id.data: entry.form for entry in self.rows
                if entry.form.indicator_id.data is not None}

    def complete(self, pairs) -> None:
        """Before showing a posted form again: a row with the stored figures for any indicator the posted
        form lacked (offered since it was loaded). Call it after `inputs()`: those rows were not posted."""
        posted = self.by_indicator()
        for indicator, target in pairs:
            if indicator.id not in posted:
                self._append(indicator, target)

    def show_saved(self, indicator_id: int, target) -> None:
        """After a conflict: the row keeps what was typed but now carries the stored version, so saving
        again is a deliberate overwrite of what the other person saved."""
        row = self.by_indicator().get(indicator_id)
        if row is not None:
            row.version.data = target.version if target is not None else None
            row.version.raw_data = None

    def inputs(self) -> list[TargetInput]:
        return [entry.form.to_input() for entry in self.rows if entry.form.indicator_id.data is not None]
