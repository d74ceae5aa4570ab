"""The cohort report's filters, read from the query string the same way by the page and by every download.

Cohorts are given as repeated `cohort` ids (none: the whole programme); `from` and `to` as ISO dates;
`submitted=1` counts submitted values too; `annex=1` adds the per-project annex to the PDF. Bad input is
reported as translated messages, never raised.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.cohorts.models import Cohort
from tracker.core.fields import query_date
from tracker.extensions import db


@dataclass
class ReportFilters:
    cohort_ids: list[int] = field(default_factory=list)  # chosen cohorts; empty = whole programme
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_submitted: bool = False
    errors: list = field(default_factory=list)
    annex: bool = False  # PDF: one page per project  # translated messages; the report is not built when any

    @property
    def valid(self) -> bool:
        return not self.errors

    def query_args(self) -> dict:
        """The filters as query-string arguments, for links to the page and to the files."""
        args: dict = {}
        if self.cohort_ids:
            args["cohort"] = list(self.cohort_ids)
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.include_submitted:
            args["submitted"] = "1"
        if self.annex:
            args["annex"] = "1"
        return args

    def selected_cohort_ids(self) -> list[int]:
        """The ids the report runs on: the chosen ones, or every cohort when none was chosen."""
        if self.cohort_ids:
            return list(self.cohort_ids)
        return list(db.session.scalars(sa.select(Cohort.id).order_by(Cohort.id)))


def parse_filters(args) -> ReportFilters:
    """Filters from a MultiDict (request.args). Unknown cohort ids are an error, not silently dropped."""
    errors: list = []
    ids: list[int] = []
    for raw in args.getlist("cohort"):
        if not str(raw).strip():
            continue
        try:
            ids.append(int(raw))
        except ValueError:
            errors.append(_l("Cohorte inconnue."))
    ids = list(dict.fromkeys(ids))
    if ids:
        known = set(db.session.scalars(sa.select(Cohort.id).where(Cohort.id.in_(ids))))
        if known != set(ids):
            errors.append(_l("Cohorte inconnue."))
            ids = [i for i in ids if i in known]
    date_from = query_date(args.get("from"), _l("Date de début invalide : utilisez le format AAAA-MM-JJ."), errors)
    date_to = query_date(args.get("to"), _l("Date de fin invalide : utilisez le format AAAA-MM-JJ."), errors)
    if date_from and date_to and date_from > date_to:
        errors.append(_l("La date de début est postérieure à la date de fin."))
    elif date_from and not date_to and date_from > dt.date.today():
        errors.append(_l("La date de début est dans le futur."))
    yes = ("1", "on", "true", "y")
    return ReportFilters(ids, date_from, date_to, args.get("submitted") in yes, errors, args.get("annex") in yes)
