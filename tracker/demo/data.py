"""The fictional content of the demo cohort: people, projects, texts.

Everything here is made up. Names are random pairings of common first and family names (a few pairings
that would name a public figure are refused); e-mails use only the reserved example.org/.com/.net
domains; phone numbers are random +2126… digits. Nothing depends on the clock: dates are stored as
offsets and turned into real dates by the loader, so the demo always looks current.

The team draw uses one random.Random(SEED), so every run (and every machine) builds the same teams.
"""

import random
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from tracker.core.permissions import Role
from tracker.milestones.models import MilestoneCategory
from tracker.projects.models import LegalForm, MemberRole, ProjectStatus, Sector, Sex, Stage
from tracker.trainings.models import Topic, TrainingMode

SEED = 20250308

COHORT = {
    "slug": "innov-impact-demo-safi",
    "name": "Innov Impact Démo — Safi",
    "programme": "Programme communautaire Innov Impact (démonstration fictive)",
    "city": "Safi",
    "province": "Safi",
    "description": (
        "Cohorte de démonstration entièrement fictive : 32 projets issus du forum d'innovation sociale de "
        "la province de Safi, accompagnés pendant 24 mois (formations au business plan, mentorat, jalons, "
        "mesure de l'impact sur les jeunes et les femmes)."
    ),
}

COMMUNES = (
    "Safi", "Sebt Gzoula", "Jamaat Shaim", "Had Hrara", "Bouguedra", "Ayir", "Lamaachate", "Sidi Aissa",
    "Khatazakane", "Labkhati", "Moul El Bergui",
)
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True)
class AccountSpec:
    key: str
    email: str
    role: Role
    display_name: str
    locale: str
    project_code: str | None = None  # holders only: the project they are linked to


ACCOUNTS = (
    AccountSpec("admin", "admin@example.org", Role.ADMIN, "Hind Ouchen (administratrice)", "fr"),
    AccountSpec("manager", "manager@example.org", Role.MANAGER, "Leila Chraibi", "fr"),
    AccountSpec("staff", "staff@example.org", Role.STAFF, "Youssef Lahlou", "fr"),
    AccountSpec("staff2", "staff2@example.org", Role.STAFF, "Sanae Belhaj", "ar"),
    AccountSpec("holder", "holder@example.org", Role.HOLDER, "", "fr", "P01"),
    AccountSpec("holder2", "holder2@example.org", Role.HOLDER, "", "ar", "P10"),
)
HOLDER_EMAILS = {a.project_code: a.email for a in ACCOUNTS if a.project_code}

# (Latin script, Arabic script)
FEMALE_NAMES = (
    ("Salma", "سلمى"), ("Imane", "إيمان"), ("Khadija", "خديجة"), ("Fatima Zahra", "فاطمة الزهراء"),
    ("Hajar", "هاجر"), ("Nadia", "نادية"), ("Soukaina", "سكينة"), ("Meryem", "مريم"), ("Zineb", "زينب"),
    ("Asmaa", "أسماء"), ("Houda", "هدى"), ("Loubna", "لبنى"), ("Samira", "سميرة"), ("Rachida", "رشيدة"),
    ("Ikram", "إكرام"), ("Kawtar", "كوثر"), ("Wiam", "وئام"), ("Nouhaila", "نهيلة"), ("Ghizlane", "غزلان"),
    ("Hasna", "حسناء"), ("Btissam", "ابتسام"),
)
MALE_NAMES = (
    ("Youssef", "يوسف"), ("Mehdi", "المهدي"), ("Hamza", "حمزة"), ("Omar", "عمر"), ("Anas", "أنس"),
    ("Karim", "كريم"), ("Rachid", "رشيد"), ("Ayoub", "أيوب"), ("Othmane", "عثمان"), ("Ilyas", "إلياس"),
    ("Abdelilah", "عبد الإله"), ("Said", "سعيد"), ("Hicham", "هشام"), ("Zakaria", "زكرياء"), ("Badr", "بدر"),
    ("Tarik", "طارق"), ("Driss", "إدريس"), ("Amine", "أمين"), ("Reda", "رضا"), ("Soufiane", "سفيان"),
    ("Adil", "عادل"),
)
FAMILY_NAMES = (
    ("Idrissi", "الإدريسي"), ("Bennani", "بناني"), ("Tazi", "التازي"), ("Berrada", "برادة"),
    ("Ouazzani", "الوزاني"), ("El Amrani", "العمراني"), ("Bouzidi", "البوزيدي"), ("Kettani", "الكتاني"),
    ("El Abdi", "العبدي"), ("Mansouri", "المنصوري"), ("Jabri", "الجابري"), ("Tahiri", "الطاهري"),
    ("Kadiri", "القادري"), ("Zerhouni", "الزرهوني"), ("Sabri", "الصبري"), ("Hamdaoui", "الحمداوي"),
    ("Ait Brahim", "آيت إبراهيم"), ("Rifai", "الرفاعي"), ("Bakkali", "البقالي"), ("Sebbar", "الصبار"),
)
# Pairings that would name a public figure: refused so the demo never impersonates anyone.
REFUSED_NAMES = frozenset({"Mehdi Bennani", "Karim Tazi", "Omar Berrada", "Youssef El Amrani"})
ARABIC_SCRIPT_SHARE = 0.25  # about one member in four is written in Arabic script, as forum sheets are


@dataclass(frozen=True)
class MemberSpec:
    full_name: str
    sex: Sex | None  # None = not stated
    age: int | None  # at the load date; None = no birth date
    birth_day: int  # days before the birthday anniversary, so birth dates are spread over the year
    role: MemberRole
    role_title: str
    is_lead: bool
    ownership_pct: Decimal | None
    phone: str | None
    email: str | None
    consent_days: int  # days after the forum


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    sector: Sector
    name: str
    sub_sector: str
    legal_form: LegalForm
    stage: Stage
    commune: str
    summary: str
    members: tuple[MemberSpec, ...] = ()
    registration_days: int | None = None  # relative to the cohort start; None = not registered
    status: ProjectStatus = ProjectStatus.ACTIVE
    status_reason: str | None = None
    status_at: float = 0.0  # status date as a share of the time elapsed since the cohort start
    mentor: str = "staff"  # account key of the assigned staff member who logs the sessions
    with_manager: bool = False  # the manager follows this project too


D, A, T, L = Sector.DIGITAL, Sector.AGRICULTURE, Sector.TRAINING_SERVICES, Sector.LOCAL_PRODUCTS
NONE, AE, COOP, ASSO, CO = (
    LegalForm.NONE, LegalForm.AUTO_ENTREPRENEUR, LegalForm.COOPERATIVE, LegalForm.ASSOCIATION, LegalForm.COMPANY,
)
IDEA, PROTO, EARLY, GROWTH = Stage.IDEA, Stage.PROTOTYPE, Stage.EARLY_REVENUE, Stage.GROWTH

# code, sector, name, sub-sector, legal form, stage, commune, summary
_PROJECT_ROWS = (
    ("P01", D, "Souk Abda en ligne", "e-commerce", AE, EARLY, "Safi",
     "Boutique en ligne qui vend les produits des coopératives de la province, livrés dans tout le Maroc."),
    ("P02", A, "Hydro Abda", "hydroponie", CO, PROTO, "Sebt Gzoula",
     "Fourrage vert cultivé en hydroponie pour les éleveurs, avec dix fois moins d'eau qu'au champ."),
    ("P03", T, "Centre Nour Langues", "centre de formation", CO, EARLY, "Safi",
     "Cours de langues et de bureautique du soir pour jeunes diplômés en recherche d'emploi."),
    ("P04", L, "Poterie Tal Safi", "artisanat", COOP, GROWTH, "Safi",
     "Céramique émaillée traditionnelle aux motifs revisités, vendue aux hôtels et aux boutiques de design."),
    ("P05", D, "Safi Dev Studio", "services numériques", CO, GROWTH, "Safi",
     "Sites web et boutiques en ligne clés en main pour les petits commerces et les artisans."),
    ("P06", A, "Câpres de Safi", "agro-transformation", COOP, EARLY, "Jamaat Shaim",
     "Tri, saumurage et conditionnement de câpres de petits producteurs pour la vente en bocaux."),
    ("P07", T, "Amal Petite Enfance", "garde d'enfants", CO, EARLY, "Safi",
     "Crèche de quartier à tarif solidaire, ouverte aux horaires des ouvrières des conserveries."),
    ("P08", L, "Coopérative Nassij", "textile", COOP, EARLY, "Sebt Gzoula",
     "Tissage de tapis et de couvertures en laine locale par des femmes du monde rural."),
    ("P09", D, "Tawjih App", "application mobile", NONE, PROTO, "Safi",
     "Application d'orientation scolaire et professionnelle en arabe et en français pour les lycéens."),
    ("P10", A, "Serres Bouguedra", "maraîchage sous serre", AE, EARLY, "Bouguedra",
     "Tomates et poivrons sous serre irrigués au goutte-à-goutte, vendus aux épiceries de Safi."),
    ("P11", T, "Dar Al Mouhit", "tourisme", AE, EARLY, "Ayir",
     "Maison d'hôtes et circuits de découverte de la côte et des villages de potiers."),
    ("P12", L, "Sardines d'Or", "agroalimentaire du terroir", CO, PROTO, "Safi",
     "Conserves artisanales de sardines aux épices, en petites séries pour les épiceries fines."),
    ("P13", D, "Rihla Mobility", "mobilité", NONE, IDEA, "Khatazakane",
     "Réservation de places dans les transports ruraux partagés entre les douars et les souks hebdomadaires."),
    ("P14", A, "Miel de Had Hrara", "apiculture", COOP, EARLY, "Had Hrara",
     "Apiculture et vente de miel de thym et d'euphorbe, avec un rucher-école pour les jeunes."),
    ("P15", T, "Rahma Soins à domicile", "aide à la personne", ASSO, EARLY, "Jamaat Shaim",
     "Aide à domicile pour les personnes âgées, assurée par des auxiliaires de vie formées."),
    ("P16", L, "تعاونية زهرة الساحل", "produits céréaliers", COOP, EARLY, "Labkhati",
     "Couscous, berkoukes et semoules roulés à la main à partir de blé dur local."),
    ("P17", D, "Fellah Data", "agritech", CO, PROTO, "Sebt Gzoula",
     "Capteurs d'humidité du sol et tableau de bord SMS pour les petites exploitations."),
    ("P18", A, "Goutte Solaire", "irrigation", AE, EARLY, "Khatazakane",
     "Installation de pompage solaire et de goutte-à-goutte chez les petits agriculteurs."),
    ("P19", T, "Atelier Mécanique Jeunes", "formation professionnelle", ASSO, EARLY, "Safi",
     "Formation qualifiante en réparation de motos et de triporteurs pour jeunes sans diplôme."),
    ("P20", L, "Argane Abda", "cosmétique naturelle", COOP, GROWTH, "Ayir",
     "Huile d'argane, amlou et savons produits par une coopérative féminine."),
    ("P21", D, "Hirafi Connect", "plateforme de services", NONE, PROTO, "Safi",
     "Mise en relation des artisans du bâtiment avec les particuliers, avec avis et devis en ligne."),
    ("P22", A, "Spiruline Atlantique", "aquaculture", CO, PROTO, "Moul El Bergui",
     "Production de spiruline en bassins couverts, vendue en poudre et en paillettes."),
    ("P23", T, "Événements Abda", "traiteur et événementiel", AE, EARLY, "Had Hrara",
     "Traiteur et organisation de fêtes et de séminaires dans la province."),
    ("P24", L, "Broderie Lamaachate", "textile", COOP, EARLY, "Lamaachate",
     "Broderie traditionnelle sur linge de maison et caftans, en commande et en boutique."),
    ("P25", D, "Darija Code Club", "edtech", ASSO, PROTO, "Jamaat Shaim",
     "Ateliers de programmation en darija pour collégiens, dans les maisons des jeunes."),
    ("P26", A, "Ferme Avicole Sidi Aissa", "élevage avicole", AE, EARLY, "Sidi Aissa",
     "Poulets fermiers et œufs de plein air pour les restaurants et les particuliers de Safi."),
    ("P27", T, "Clean Safi", "nettoyage écologique", NONE, IDEA, "Safi",
     "Nettoyage de bureaux et de commerces avec des produits écologiques."),
    ("P28", L, "Savonnerie Beldi", "cosmétique naturelle", AE, EARLY, "Bouguedra",
     "Savon noir, ghassoul et cosmétiques naturels aux plantes de la région."),
    ("P29", D, "Qarib Livraison", "logistique", NONE, PROTO, "Safi",
     "Livraison du dernier kilomètre à vélo électrique dans la médina et les quartiers denses."),
    ("P30", A, "Biocompost Lamaachate", "valorisation agricole", ASSO, PROTO, "Lamaachate",
     "Compost produit à partir des déchets verts du marché de gros et des exploitations voisines."),
    ("P31", T, "Cap Emploi Safi", "insertion professionnelle", ASSO, EARLY, "Sebt Gzoula",
     "Préparation aux entretiens et mise en relation de jeunes diplômés avec les entreprises locales."),
    ("P32", L, "Vannerie Moul El Bergui", "artisanat", COOP, EARLY, "Moul El Bergui",
     "Paniers, chapeaux et objets de décoration en doum tressé."),
)

# Deliberate edge cases, so every rule of DESIGN §4 shows on screen.
WOMEN_LED_BY_OWNERSHIP = "P07"  # lead is a man with 40 %; two women hold 30 % + 30 %
HALF_WOMEN_OWNED = "P12"  # a man and a woman at exactly 50 %: not women-led (51 % threshold)
LEAD_NOT_STATED = "P19"  # lead with sex not stated and no birth date
STATUS_CHANGES = {
    "P05": (ProjectStatus.GRADUATED, 0.85,
            "Accompagnement terminé : contrat-cadre signé avec une agence régionale, équipe autonome."),
    "P14": (ProjectStatus.PAUSED, 0.7,
            "Pause de la saison apicole après la sécheresse ; reprise prévue avec la prochaine floraison."),
    "P27": (ProjectStatus.DROPPED, 0.45,
            "Le porteur a accepté un emploi salarié à Casablanca ; l'équipe n'a pas souhaité continuer."),
}


# ---------------------------------------------------------------- teams

def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


def _draw_name(rng: random.Random, used: set[str], sex: Sex | None) -> tuple[str, str, str]:
    """(name as written in the sheet, first name and family name in Latin script for the e-mail).

    The sex only picks a plausible first name for the fiction; the app never reads sex from a name.
    """
    firsts = FEMALE_NAMES if sex == Sex.F else MALE_NAMES if sex == Sex.M else FEMALE_NAMES + MALE_NAMES
    while True:
        first, family = rng.choice(firsts), rng.choice(FAMILY_NAMES)
        latin = f"{first[0]} {family[0]}"
        if latin not in used and latin not in REFUSED_NAMES:
            used.add(latin)
            written = f"{first[1]} {family[1]}" if rng.random() < ARABIC_SCRIPT_SHARE else latin
            return written, first[0], family[0]


def _phone(rng: random.Random) -> str | None:
    return None if rng.random() < 0.1 else "+2126" + "".join(rng.choice("0123456789") for _ in range(8))


def _email(rng: random.Random, first: str, family: str) -> str | None:
    if rng.random() < 0.2:
        return None
    return f"{_ascii(first)}.{_ascii(family)}@{rng.choice(EMAIL_DOMAINS)}"


def _age(rng: random.Random, young: bool | None = None) -> int | None:
    if young is None:
        if rng.random() < 0.15:
            return None
        young = rng.random() < 0.62
    return rng.randint(19, 34) if young else rng.randint(36, 58)


def _title(role: MemberRole, sex: Sex | None, legal_form: LegalForm, lead: bool) -> str:
    feminine = sex == Sex.F
    if lead and legal_form in (COOP, ASSO):
        return "Présidente" if feminine else "Président" if sex == Sex.M else "Président·e"
    if lead:
        return "Porteuse de projet" if feminine else "Porteur de projet" if sex == Sex.M else "Responsable du projet"
    if role == MemberRole.EMPLOYEE:
        return "Employée" if feminine else "Employé" if sex == Sex.M else "Salarié·e"
    if legal_form == COOP:
        return "Coopératrice" if feminine else "Coopérateur" if sex == Sex.M else "Membre coopérateur"
    return "Co-fondatrice" if feminine else "Co-fondateur" if sex == Sex.M else "Associé·e"


def _shares(legal_form: LegalForm, roles: list[MemberRole], rng: random.Random) -> list[Decimal | None]:
    """Capital shares as a forum sheet records them: none for associations and informal teams,
    equal parts in cooperatives, the lead's majority in companies; always summing to at most 100."""
    owners = [i for i, role in enumerate(roles) if role != MemberRole.EMPLOYEE]
    shares: list[Decimal | None] = [None] * len(roles)
    if legal_form in (ASSO, NONE):
        return shares
    if legal_form == AE or len(owners) == 1:
        shares[0] = Decimal(100)
    elif legal_form == COOP:
        equal = (Decimal(100) / len(owners)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        for i in owners:
            shares[i] = equal
    else:
        lead = Decimal(rng.choice((40, 50, 55, 60, 70)))
        rest = ((Decimal(100) - lead) / (len(owners) - 1)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        shares[0] = lead
        for i in owners[1:]:
            shares[i] = rest
    return shares


def _member(rng: random.Random, used: set[str], *, sex: Sex | None, age: int | None, role: MemberRole,
            legal_form: LegalForm, lead: bool, share: Decimal | None, email: str | None = None) -> MemberSpec:
    written, first, family = _draw_name(rng, used, sex)
    return MemberSpec(
        full_name=written, sex=sex, age=age, birth_day=rng.randint(0, 364), role=role,
        role_title=_title(role, sex, legal_form, lead), is_lead=lead, ownership_pct=share,
        phone=_phone(rng), email=email or _email(rng, first, family), consent_days=rng.randint(0, 45),
    )


def _sex(rng: random.Random, lead: bool) -> Sex | None:
    draw = rng.random()
    if draw < (0.03 if lead else 0.08):
        return None
    return Sex.F if draw < 0.6 else Sex.M  # the programme targets women: a small majority of the demo


def _generic_team(code: str, legal_form: LegalForm, rng: random.Random, used: set[str]) -> list[MemberSpec]:
    size = rng.choices((1, 2, 3, 4), weights=(15, 35, 35, 15))[0]
    if legal_form in (COOP, CO):  # partners or co-operators: never a team of one
        size = max(size, 2)
    roles = [MemberRole.FOUNDER] + [
        MemberRole.EMPLOYEE if (legal_form == AE or (i == size - 1 and size >= 3 and rng.random() < 0.5))
        else MemberRole.CO_FOUNDER
        for i in range(1, size)
    ]
    shares = _shares(legal_form, roles, rng)
    return [
        _member(rng, used, sex=_sex(rng, i == 0), age=_age(rng), role=role, legal_form=legal_form, lead=i == 0,
                share=shares[i], email=HOLDER_EMAILS.get(code) if i == 0 else None)
        for i, role in enumerate(roles)
    ]


def _special_team(code: str, legal_form: LegalForm, rng: random.Random, used: set[str]) -> list[MemberSpec]:
    co, f, m = MemberRole.CO_FOUNDER, Sex.F, Sex.M

    def make(sex, age, role, lead, share):
        return _member(rng, used, sex=sex, age=age, role=role, legal_form=legal_form, lead=lead,
                       share=None if share is None else Decimal(share))

    if code == WOMEN_LED_BY_OWNERSHIP:
        return [make(m, 37, MemberRole.FOUNDER, True, 40), make(f, 27, co, False, 30), make(f, 44, co, False, 30)]
    if code == HALF_WOMEN_OWNED:
        return [make(m, 31, MemberRole.FOUNDER, True, 50), make(f, 33, co, False, 50)]
    # LEAD_NOT_STATED: an association, so no shares; the lead declined to state sex and birth date.
    return [make(None, None, MemberRole.FOUNDER, True, None), make(m, 24, co, False, None),
            make(f, 22, MemberRole.EMPLOYEE, False, None)]


def _build_projects() -> tuple[ProjectSpec, ...]:
    rng = random.Random(SEED)
    used: set[str] = set()
    specs = []
    for n, (code, sector, name, sub, legal_form, stage, commune, summary) in enumerate(_PROJECT_ROWS):
        special = code in (WOMEN_LED_BY_OWNERSHIP, HALF_WOMEN_OWNED, LEAD_NOT_STATED)
        team = (_special_team if special else _generic_team)(code, legal_form, rng, used)
        status, status_at, reason = STATUS_CHANGES.get(code, (ProjectStatus.ACTIVE, 0.0, None))
        specs.append(ProjectSpec(
            code=code, sector=sector, name=name, sub_sector=sub, legal_form=legal_form, stage=stage,
            commune=commune, summary=summary, members=tuple(team),
            registration_days=None if legal_form == NONE else rng.randint(-420, 240),
            status=status, status_reason=reason, status_at=status_at,
            mentor="staff" if n % 2 == 0 else "staff2", with_manager=n % 5 == 0,
        ))
    return tuple(specs)


PROJECTS: tuple[ProjectSpec, ...] = _build_projects()


# ---------------------------------------------------------------- trainings

@dataclass(frozen=True)
class TrainingSpec:
    title: str
    topic: Topic
    start_days: int | None  # days after the cohort start; None = upcoming (three weeks after the load)
    hours: Decimal
    trainer: str
    place: str
    mode: TrainingMode
    description: str
    leads_only: bool = False  # invitations: the lead of every project, or every founder and co-founder


TRAININGS = (
    TrainingSpec("Construire son business plan — module 1 : le modèle économique", Topic.BUSINESS_PLAN, 14,
                 Decimal(6), "Hanane Kadiri, consultante", "Espace incubateur, Safi", TrainingMode.IN_PERSON,
                 "Proposition de valeur, clients, canaux, structure de coûts : chaque équipe repart avec son canevas."),
    TrainingSpec("Construire son business plan — module 2 : prévisions financières", Topic.BUSINESS_PLAN, 42,
                 Decimal(6), "Hanane Kadiri, consultante", "Espace incubateur, Safi", TrainingMode.IN_PERSON,
                 "Plan de trésorerie sur 24 mois, seuil de rentabilité et besoin de financement."),
    TrainingSpec("Business plan : préparer son passage devant le comité de financement", Topic.BUSINESS_PLAN, 150,
                 Decimal(4), "Adil Rifai, chargé d'affaires", "Maison des jeunes, Sebt Gzoula", TrainingMode.HYBRID,
                 "Pitch de dix minutes, questions types du comité, pièces à joindre au dossier.", leads_only=True),
    TrainingSpec("Choisir sa forme juridique : coopérative, auto-entrepreneur, SARL", Topic.LEGAL, 75,
                 Decimal(3), "Meryem Sebbar, juriste", "Espace incubateur, Safi", TrainingMode.IN_PERSON,
                 "Obligations, fiscalité et démarches de chaque statut ; cas pratiques de l'équipe."),
    TrainingSpec("Vendre en ligne : réseaux sociaux et boutique en ligne", Topic.MARKETING, 210,
                 Decimal(5), "Reda Zerhouni, formateur", "En ligne", TrainingMode.ONLINE,
                 "Photos produits au téléphone, calendrier de publications, paiement à la livraison."),
    TrainingSpec("Hygiène, traçabilité et qualité des produits alimentaires", Topic.PRODUCTION_QUALITY, 300,
                 Decimal(4), "Ikram Hamdaoui, ingénieure qualité", "Salle communale, Jamaat Shaim",
                 TrainingMode.IN_PERSON,
                 "Bonnes pratiques d'hygiène, étiquetage et préparation à l'autorisation sanitaire."),
    TrainingSpec("Prendre la parole et négocier avec ses clients", Topic.SOFT_SKILLS, None,
                 Decimal(3), "Tarik Bakkali, coach", "Espace incubateur, Safi", TrainingMode.HYBRID,
                 "Atelier pratique : présentation de son offre, objections, négociation des prix."),
)
ATTENDANCE_RATE = 0.82  # share of invitations recorded as present


# ---------------------------------------------------------------- milestones

MILESTONES: dict[Sector, tuple[tuple[MilestoneCategory, str], ...]] = {
    D: (
        (MilestoneCategory.LEGAL_REGISTRATION, "Immatriculation de l'activité"),
        (MilestoneCategory.PROTOTYPE, "Version bêta testée par vingt utilisateurs"),
        (MilestoneCategory.FIRST_SALE, "Premier client payant"),
        (MilestoneCategory.FUNDING, "Dossier de financement d'amorçage accepté"),
        (MilestoneCategory.HIRING, "Recrutement d'un développeur ou d'une développeuse"),
        (MilestoneCategory.MARKET_ACCESS, "Partenariat avec une association de commerçants"),
    ),
    A: (
        (MilestoneCategory.LEGAL_REGISTRATION, "Enregistrement de l'exploitation"),
        (MilestoneCategory.PROTOTYPE, "Parcelle ou module pilote en production"),
        (MilestoneCategory.FIRST_SALE, "Première récolte vendue"),
        (MilestoneCategory.FUNDING, "Subvention d'équipement obtenue"),
        (MilestoneCategory.CERTIFICATION, "Autorisation sanitaire obtenue"),
        (MilestoneCategory.MARKET_ACCESS, "Contrat avec un grossiste de Safi"),
    ),
    T: (
        (MilestoneCategory.LEGAL_REGISTRATION, "Création de la structure juridique"),
        (MilestoneCategory.OTHER, "Local aménagé et ouvert au public"),
        (MilestoneCategory.FIRST_SALE, "Premiers clients ou bénéficiaires accueillis"),
        (MilestoneCategory.HIRING, "Recrutement de deux personnes de la commune"),
        (MilestoneCategory.CERTIFICATION, "Agrément ou autorisation d'exercer"),
        (MilestoneCategory.FUNDING, "Prêt d'honneur obtenu"),
    ),
    L: (
        (MilestoneCategory.LEGAL_REGISTRATION, "Constitution ou mise à jour de la coopérative"),
        (MilestoneCategory.PROTOTYPE, "Nouvelle gamme de produits prête"),
        (MilestoneCategory.CERTIFICATION, "Label ou certification de qualité obtenu"),
        (MilestoneCategory.MARKET_ACCESS, "Participation à un salon national"),
        (MilestoneCategory.FIRST_SALE, "Première commande d'un revendeur"),
        (MilestoneCategory.FUNDING, "Équipement financé par un programme public"),
    ),
}
EVIDENCE_NOTES = (
    "Copie du récépissé conservée au dossier ; vérifiée lors de la visite de terrain.",
    "Facture et photos du premier lot transmises par l'équipe.",
    "Contrat signé consulté en séance de mentorat.",
    "Attestation reçue par e-mail et archivée.",
)
# Projects whose first achieved milestone carries an evidence file (a generated PDF or PNG).
EVIDENCE_FILE_PROJECTS = frozenset({"P01", "P04", "P08", "P20", "P26"})
DROPPED_NOTES = (
    "Abandonné d'un commun accord : le marché visé s'est révélé trop étroit.",
    "Remplacé par un jalon plus réaliste après la révision du business plan.",
)


# ---------------------------------------------------------------- mentoring

SESSION_TOPICS = (
    "business plan", "trésorerie", "prix de vente", "prospection", "démarches juridiques",
    "recrutement", "dossier de financement", "qualité", "réseaux sociaux", "organisation de l'équipe",
)
SHARED_SUMMARIES = (
    "Revue du plan de trésorerie du trimestre ; les charges fixes sont maîtrisées, les encaissements arrivent tard.",
    "Travail sur la grille de prix : le prix actuel ne couvre pas le coût des matières premières.",
    "Préparation du dossier de financement : il manque les devis des équipements et le plan de remboursement.",
    "Point sur la prospection : trois clients professionnels à relancer, un rendez-vous obtenu.",
    "Démarches d'immatriculation : liste des pièces établie, rendez-vous pris au centre régional.",
    "Organisation de l'équipe : répartition des tâches clarifiée, réunion hebdomadaire fixée le lundi.",
    "Analyse des ventes du mois : la vente en ligne progresse, la boutique physique stagne.",
    "Visite de l'atelier : le circuit de production est propre, le stockage reste à organiser.",
)
STAFF_NOTES = (
    "Équipe motivée mais la porteuse porte seule la charge ; surveiller le risque d'épuisement.",
    "Tension entre les associés sur la répartition des bénéfices ; à aborder avec tact.",
    "Dépendance à un seul client ; proposer une mise en relation avec l'association des commerçants.",
    "Les chiffres déclarés semblent optimistes ; demander les relevés bancaires au prochain rendez-vous.",
    "Bonne dynamique ; candidat sérieux pour le prix de fin de cohorte.",
    "Retards répétés aux rendez-vous ; rappeler les engagements de la convention d'accompagnement.",
)
ACTIONS = (
    ("project", "Envoyer le plan de trésorerie mis à jour"),
    ("project", "Obtenir trois devis pour l'équipement"),
    ("project", "Relancer les clients professionnels contactés"),
    ("project", "Déposer le dossier d'immatriculation"),
    ("project", "Publier trois photos produits par semaine"),
    ("staff", "Mettre l'équipe en relation avec un comptable bénévole"),
    ("staff", "Transmettre la liste des programmes de financement ouverts"),
    ("staff", "Organiser une visite chez un projet plus avancé du même secteur"),
)


# ---------------------------------------------------------------- period reports

HIGHLIGHTS = (
    "Premières ventes à des clients professionnels et nouvelle gamme bien accueillie.",
    "Recrutement d'une jeune de la commune à mi-temps.",
    "Participation au souk hebdomadaire et à une foire régionale.",
    "Chiffre d'affaires en hausse grâce à la vente en ligne.",
)
DIFFICULTIES = (
    "Trésorerie tendue : les clients paient à 60 jours.",
    "Hausse du prix des matières premières.",
    "Coupures d'eau et d'électricité pendant l'été.",
    "Démarches administratives plus longues que prévu.",
)
SUPPORT_NEEDED = (
    "Mise en relation avec des distributeurs à Casablanca et Marrakech.",
    "Accompagnement pour le dossier de financement.",
    "Formation complémentaire en comptabilité simplifiée.",
    "",
)
REVIEW_COMMENTS = (
    "Le chiffre d'affaires semble inclure la subvention reçue : merci de la retirer et de la déclarer en financement.",
    "Les emplois créés ne correspondent pas à l'équipe déclarée : précisez qui a été recruté ce trimestre.",
    "Merci de joindre un commentaire expliquant la baisse des clients par rapport au trimestre précédent.",
)
VALUE_COMMENTS = (
    "Deux saisonnières recrutées pour la récolte.",
    "Inclut une grosse commande ponctuelle d'un hôtel.",
    "Estimation à partir du cahier de caisse.",
)


# Status of each project's report for the last ended quarter and the one before; projects not named
# here have approved reports. "missing" = no report yet, so completeness figures are not all 100 %.
LAST_REPORT_STATUS = {
    "P01": "returned", "P10": "draft", "P03": "submitted", "P04": "draft", "P06": "submitted",
    "P08": "submitted", "P09": "missing", "P11": "submitted", "P13": "draft", "P15": "returned",
    "P17": "submitted", "P18": "missing", "P21": "draft", "P22": "submitted", "P24": "submitted",
    "P25": "returned", "P29": "draft", "P30": "submitted", "P31": "missing",
}
PREVIOUS_REPORT_STATUS = {"P09": "submitted", "P18": "returned", "P21": "submitted"}
