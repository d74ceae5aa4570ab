"""The written summary the report opens with (issue 18): a few sentences built from the §12 figures.

Each sentence is a template of the catalogue (French msgid, Arabic and English msgstr), never free text:
one template per language, and every counted noun goes through `ngettext` so Arabic gets its six plural
forms right ("مشروعان", "3 مشاريع", "11 مشروعًا", "100 مشروع"). Every figure of a sentence is a figure of
the report dict, formatted by `tracker.core.formatting`, and listed with its §12 path in `figures` (in
the order the text gives them), so tests check the text against the JSON. Call inside `force_locale`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.core.formatting import Kind, text

JOB_CODE = "jobs_created"
WOMEN_CELLS = ("women_youth", "women_other")
YOUTH_CELLS = ("women_youth", "men_youth")


@dataclass
class Sentence:
    text: str
    figures: list[tuple[str, object]] = field(default_factory=list)  # (§12 path or derived name, value)


def _count(n) -> str:
    return text(int(n), Kind.COUNT)


def _portfolio(report: dict) -> Sentence:
    pf = report["portfolio"]
    projects = ngettext("%(count)s projet", "%(count)s projets", pf["projects"], count=_count(pf["projects"]))
    women = ngettext("%(count)s porté par des femmes", "%(count)s portés par des femmes", pf["women_led"],
                     count=_count(pf["women_led"]))
    youth = ngettext("%(count)s par des jeunes", "%(count)s par des jeunes", pf["youth_led"],
                     count=_count(pf["youth_led"]))
    return Sentence(
        _("Sur la période, le programme a accompagné %(projects)s (dont %(women_led)s et %(youth_led)s).",
          projects=projects, women_led=women, youth_led=youth),
        [("portfolio.projects", pf["projects"]), ("portfolio.women_led", pf["women_led"]),
         ("portfolio.youth_led", pf["youth_led"])],
    )


def job_shares(report: dict) -> dict | None:
    """The jobs created (`jobs_created`) with the shares held by women and by youth, or None."""
    row = next((r for r in report["indicators"] if r["code"] == JOB_CODE), None)
    if row is None or row["actual"] is None:
        return None
    total = Decimal(row["actual"])
    cells = row.get("cells") or {}
    women = sum((Decimal(cells[c]) for c in WOMEN_CELLS if cells.get(c) is not None), Decimal(0)) if cells else None
    youth = sum((Decimal(cells[c]) for c in YOUTH_CELLS if cells.get(c) is not None), Decimal(0)) if cells else None
    return {
        "total": total,
        "women_share": float(women / total) if cells and total else None,
        "youth_share": float(youth / total) if cells and total else None,
    }


def _jobs(report: dict) -> Sentence | None:
    jobs = job_shares(report)
    if jobs is None:
        return None
    total = jobs["total"]
    whole = total == total.to_integral_value()
    n = int(total) if whole else 2  # a fraction of a job reads as a plural everywhere
    shown = text(total, Kind.COUNT if whole else Kind.AMOUNT)
    created = ngettext("%(count)s emploi", "%(count)s emplois", n, count=shown)
    figures = [(f"indicators.{JOB_CODE}.actual", total)]
    if jobs["women_share"] is None:
        return Sentence(_("Les projets ont créé %(jobs)s.", jobs=created), figures)
    figures += [("jobs.women_share", jobs["women_share"]), ("jobs.youth_share", jobs["youth_share"])]
    return Sentence(
        _("Les projets ont créé %(jobs)s, dont %(women)s pour des femmes et %(youth)s pour des jeunes.",
          jobs=created, women=text(jobs["women_share"], Kind.RATE), youth=text(jobs["youth_share"], Kind.RATE)),
        figures,
    )


def _activity(report: dict) -> Sentence:
    tr, me = report["trainings"], report["mentoring"]
    n, p, m = tr["sessions"], tr["participants"], me["sessions"]
    sessions = ngettext("%(count)s session de formation", "%(count)s sessions de formation", n, count=_count(n))
    participants = ngettext("%(count)s participant", "%(count)s participants", p, count=_count(p))
    mentoring = ngettext("%(count)s séance de mentorat", "%(count)s séances de mentorat", m, count=_count(m))
    return Sentence(
        _("Les équipes ont suivi %(sessions)s (%(participants)s) et %(mentoring)s.",
          sessions=sessions, participants=participants, mentoring=mentoring),
        [("trainings.sessions", tr["sessions"]), ("trainings.participants", tr["participants"]),
         ("mentoring.sessions", me["sessions"])],
    )


def _milestones(report: dict) -> Sentence:
    mi = report["milestones"]
    a, p = mi["achieved"], mi["planned"]
    achieved = ngettext("%(count)s jalon atteint", "%(count)s jalons atteints", a, count=_count(a))
    planned = ngettext("%(count)s prévu", "%(count)s prévus", p, count=_count(p))
    figures = [("milestones.achieved", mi["achieved"]), ("milestones.planned", mi["planned"])]
    if mi["achievement_rate"] is None:
        return Sentence(_("Jalons du business plan : %(achieved)s sur %(planned)s.", achieved=achieved,
                          planned=planned), figures)
    figures.append(("milestones.achievement_rate", mi["achievement_rate"]))
    return Sentence(
        _("Jalons du business plan : %(achieved)s sur %(planned)s (taux de réalisation : %(rate)s).",
          achieved=achieved, planned=planned, rate=text(mi["achievement_rate"], Kind.RATE)),
        figures,
    )


def _completeness(report: dict) -> Sentence | None:
    rows = report["completeness"]
    if not rows:
        return None
    owed = sum(r["owed"] for r in rows)
    approved = sum(r["approved"] for r in rows)
    return Sentence(
        _("Rapports de période : %(approved)s sur %(owed)s.",
          approved=ngettext("%(count)s approuvé", "%(count)s approuvés", approved, count=_count(approved)),
          owed=ngettext("%(count)s attendu", "%(count)s attendus", owed, count=_count(owed))),
        [("completeness.approved", approved), ("completeness.owed", owed)],
    )


def summary(report: dict) -> list[Sentence]:
    """The sentences of the summary, in reading order (translated in the current locale)."""
    out = [_portfolio(report), _jobs(report), _activity(report), _milestones(report), _completeness(report)]
    if report["filters"]["include_submitted"]:
        out.append(Sentence(_("Ces chiffres incluent des valeurs soumises qui ne sont pas encore approuvées.")))
    return [s for s in out if s is not None]


def summary_text(report: dict) -> str:
    return " ".join(s.text for s in summary(report))
