"""The default indicator catalogue every programme starts from (DESIGN §3, §5).

Codes are the stable key: reports, imports and the JSON report refer to indicators by code, so a code is
never renamed once shipped. Admins may add indicators or deactivate these ones, never delete them.

IRIS+ references are set only where the GIIN IRIS+ catalogue has a metric with the same meaning
(checked against the metric's definition); a wrong reference would mislead a funder more than none.
"""

from dataclasses import asdict, dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Unit

FLOW, STOCK = IndicatorKind.FLOW, IndicatorKind.STOCK


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_fr: str
    name_ar: str
    name_en: str
    unit: Unit
    kind: IndicatorKind
    disaggregated: bool
    iris_ref: str | None
    sort_order: int
    allow_negative: bool = False  # most figures cannot go below zero; a margin can


DEFAULT_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "jobs_created", "Emplois créés", "مناصب الشغل المحدثة", "Jobs created",
        # IRIS+ PI3687 "Jobs Created at Directly Supported/Financed Enterprises": the programme's view.
        Unit.COUNT, FLOW, True, "PI3687", 10,
    ),
    IndicatorSpec(
        "employees", "Salariés permanents (effectif actuel)", "الأجراء الدائمون (العدد الحالي)",
        "Permanent employees (current headcount)",
        Unit.COUNT, STOCK, True, "OI8869", 20,  # IRIS+ "Permanent Employees: Total"
    ),
    IndicatorSpec(
        "temporary_jobs", "Emplois temporaires ou saisonniers", "مناصب الشغل المؤقتة أو الموسمية",
        "Temporary or seasonal jobs",
        Unit.COUNT, FLOW, True, None, 30,
    ),
    IndicatorSpec(
        "revenue", "Chiffre d'affaires", "رقم المعاملات", "Revenue",
        Unit.MAD, FLOW, False, "FP6510", 40,  # IRIS+ "Total Revenue"
    ),
    IndicatorSpec(
        "customers", "Clients ou bénéficiaires", "الزبائن أو المستفيدون", "Customers or beneficiaries",
        Unit.COUNT, FLOW, False, "PI4060", 50,  # IRIS+ "Client Individuals: Total"
    ),
    IndicatorSpec(
        "people_trained", "Personnes formées par le projet", "الأشخاص الذين كوّنهم المشروع",
        "People trained by the project",
        Unit.COUNT, FLOW, True, "PI2998", 60,  # IRIS+ "Individuals Trained: Total"
    ),
    IndicatorSpec(
        "training_hours", "Heures de formation dispensées", "ساعات التكوين المقدمة", "Training hours delivered",
        Unit.HOURS, FLOW, False, None, 70,
    ),
    IndicatorSpec(
        "funding_raised", "Financements mobilisés", "التمويلات المعبأة", "Funding raised",
        Unit.MAD, FLOW, False, None, 80,
    ),
    IndicatorSpec(
        "investment", "Investissements réalisés", "الاستثمارات المنجزة", "Investment made",
        Unit.MAD, FLOW, False, None, 90,
    ),
    IndicatorSpec(
        "products_launched", "Produits ou services lancés", "المنتجات أو الخدمات التي تم إطلاقها",
        "Products or services launched",
        Unit.COUNT, FLOW, False, None, 100,
    ),
    IndicatorSpec(
        "sales_outlets", "Points de vente et canaux actifs", "نقاط البيع وقنوات التوزيع النشطة",
        "Active sales outlets and channels",
        Unit.COUNT, STOCK, False, None, 110,
    ),
    IndicatorSpec(
        "women_in_management", "Femmes dans la direction de l'équipe", "النساء في فريق التسيير",
        "Women in the team's management",
        Unit.COUNT, STOCK, False, None, 120,
    ),
    IndicatorSpec(
        "gross_margin", "Marge brute", "هامش الربح الإجمالي", "Gross margin",
        # A rate: summing it over periods would be meaningless, so it is a stock (latest value counts).
        # Selling below cost gives a negative margin, which must be recordable.
        Unit.PERCENT, STOCK, False, None, 130, allow_negative=True,
    ),
)


def ensure_default_catalogue() -> int:
    """Add the default indicators whose code is missing; returns how many were created.

    Existing indicators are left exactly as they are: an admin may have renamed or deactivated them.
    """
    existing = set(db.session.scalars(sa.select(Indicator.code)))
    missing = [Indicator(**asdict(spec)) for spec in DEFAULT_INDICATORS if spec.code not in existing]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)
