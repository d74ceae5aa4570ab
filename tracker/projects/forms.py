from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from tracker.core import places
from tracker.core.fields import (
    LocaleDateField,
    LocaleDecimalField,
    OptionalSelectField,
    VersionField,
    phone_validator,
    strip,
)
from tracker.core.forms import FlaskForm, SubmitOnceMixin  # FlaskForm: the text gate (core/text.py)
from tracker.core.i18n import choices
from tracker.projects.models import DEFAULT_CONSENT_PURPOSE, LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage

PROFILE_FIELDS = ("name", "sub_sector", "summary", "stage", "legal_form", "registration_date", "province", "commune")
STAFF_ONLY_FIELDS = ("cohort_id", "code", "sector", "status", "status_date", "status_reason", "staff_ids")


class ProjectForm(SubmitOnceMixin, FlaskForm):
    cohort_id = OptionalSelectField(_l("Cohorte"), coerce=lambda v: int(v) if v not in (None, "") else None,
                                    validators=[DataRequired()])
    code = StringField(_l("Numéro du projet"), validators=[Optional(), Length(max=40)],
                       description=_l("Le numéro attribué au forum, par exemple P07."))
    name = StringField(_l("Nom du projet"), validators=[DataRequired(), Length(max=200)])
    sector = OptionalSelectField(_l("Secteur"), validators=[DataRequired()])
    sub_sector = StringField(_l("Sous-secteur"), validators=[Optional(), Length(max=120)],
                             description=_l("Par exemple : textile, artisanat, hydroponie."))
    summary = TextAreaField(_l("Résumé"), validators=[Optional(), Length(max=4000)])
    stage = OptionalSelectField(_l("Stade"), validators=[Optional()])
    legal_form = OptionalSelectField(_l("Forme juridique"), validators=[Optional()])
    registration_date = LocaleDateField(_l("Date d'immatriculation"), validators=[Optional()])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=80)],
                           render_kw={"list": "province-options", "autocomplete": "off"},
                           description=_l("Province ou préfecture : choisissez-la dans la liste (tapez quelques "
                                          "lettres). Un nom absent de la liste officielle est gardé tel qu'écrit."))
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=80)],
                          render_kw={"list": "commune-options", "autocomplete": "off"})
    status = OptionalSelectField(_l("Statut"), validators=[DataRequired()])
    status_date = LocaleDateField(_l("Date du statut"), validators=[Optional()])
    status_reason = TextAreaField(_l("Raison du statut"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Obligatoire pour un projet en pause ou abandonné."))
    staff_ids = SelectMultipleField(_l("Chargés d'accompagnement"), coerce=int, validators=[Optional()])
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, cohorts=(), staff=(), for_holder=False, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = choices(Sector, blank=_l("— choisir —"))
        self.stage.choices = choices(Stage, blank="—")
        self.legal_form.choices = choices(LegalForm, blank="—")
        self.status.choices = choices(ProjectStatus)
        self.cohort_id.choices = [("", _l("— choisir —"))] + [(str(c.id), c.name) for c in cohorts]
        self.staff_ids.choices = [(u.id, u.display_name) for u in staff]
        # The searchable lists of the province and commune fields (<datalist>: no script needed).
        locale = str(get_locale() or "fr")
        self.province_options = places.province_options(locale)
        self.commune_options = places.commune_options(self.province.data, locale)
        if for_holder:
            for name in STAFF_ONLY_FIELDS:
                delattr(self, name)
        elif not creating:
            delattr(self, "cohort_id")

    def project_data(self) -> dict:
        fields = PROFILE_FIELDS + STAFF_ONLY_FIELDS
        data = {name: getattr(self, name).data for name in fields if name in self._fields and name != "staff_ids"}
        for key in ("code", "sub_sector", "summary", "province", "commune", "status_reason"):
            if key in data:
                data[key] = (data[key] or "").strip() or None
        enums = {"sector": Sector, "stage": Stage, "legal_form": LegalForm, "status": ProjectStatus}
        for key, enum_cls in enums.items():
            if key in data:
                data[key] = enum_cls(data[key]) if data[key] else None
        data["name"] = " ".join((data.get("name") or "").split())
        return data

    def place_warnings(self) -> list[str]:
        """Province or commune not in the reference (tracker.core.places): saved as typed, said after saving."""
        warnings = []
        province = places.normalise_province(self.province.data)
        if province.unknown:
            warnings.append(_("La province « %(value)s » n'est pas dans la liste officielle des provinces et "
                              "préfectures : elle a été enregistrée telle qu'écrite.", value=province.value))
        commune = places.normalise_commune(self.commune.data, self.province.data)
        if commune.unknown:
            warnings.append(_("La commune « %(value)s » n'est pas dans la liste des communes de la province "
                              "%(province)s : elle a été enregistrée telle qu'écrite.", value=commune.value,
                              province=province.value))
        return warnings


class MemberForm(SubmitOnceMixin, FlaskForm):
    full_name = StringField(_l("Nom complet"), validators=[DataRequired(), Length(max=160)])
    sex = OptionalSelectField(_l("Sexe"), validators=[Optional()],
                              description=_l("Tel que déclaré par la personne ; jamais déduit du prénom."))
    birth_date = LocaleDateField(_l("Date de naissance"), validators=[Optional()],
                           description=_l("Facultative ; sans elle, l'âge est compté comme inconnu."))
    role = OptionalSelectField(_l("Rôle dans le projet"), validators=[DataRequired()])
    role_title = StringField(_l("Intitulé du rôle"), validators=[Optional(), Length(max=120)],
                             description=_l("Tel qu'écrit par l'équipe, par exemple « Co-fondatrice »."))
    is_lead = BooleanField(_l("Porteur principal"),
                           description=_l("Un seul porteur principal par projet ; le cocher ici le retire à l'actuel."))
    ownership_pct = LocaleDecimalField(_l("Part du capital (%)"), places=2, validators=[
        Optional(),
        NumberRange(min=0, max=100, message=_l("La part du capital doit être comprise entre %(min)s et %(max)s %%.")),
    ])
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=40), phone_validator])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254),
                                                 Email(message=_l("Adresse e-mail invalide."))])
    consent_date = LocaleDateField(_l("Date de consentement"), validators=[DataRequired()],
                             description=_l("Date à laquelle la personne a accepté le traitement "
                                            "de ses données (loi 09-08)."))
    consent_purpose = StringField(_l("Finalité du consentement"), filters=[strip],
                                  default=DEFAULT_CONSENT_PURPOSE,
                                  validators=[DataRequired(), Length(max=200)],
                                  description=_l("Ce à quoi la personne a accepté que ses données servent."))
    version = VersionField()
    submit = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, with_lead=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = [("", _l("Non précisé"))] + choices(Sex)
        self.role.choices = choices(MemberRole)
        if not with_lead:
            delattr(self, "is_lead")

    def member_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("version", "submit", "csrf_token")}
        data["sex"] = Sex(data["sex"]) if data.get("sex") else None
        data["role"] = MemberRole(data["role"]) if data.get("role") else MemberRole.FOUNDER
        for key in ("role_title", "email"):
            data[key] = (data.get(key) or "").strip() or None
        return data
