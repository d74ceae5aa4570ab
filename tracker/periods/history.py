"""A report's history, read from the audit trail (`tracker.periods.workflow` records every transition and
every change of figures or narrative): who did what when, and what changed since the report was last
returned, so the reviewer checks the corrections rather than the whole report again.

Audited keys: `<indicator code>.<cell>` for a figure (stored as text, two decimals), `<indicator code>.comment`
for an indicator's comment, the narrative fields by name; transitions carry `status`, and the
`review_comment` or `reason` that came with them.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.periods.models import Cell, PeriodReport
from tracker.periods.workflow import NARRATIVE_FIELDS, TRANSITION_LABELS

STEP_LABELS = {
    **TRANSITION_LABELS,
    "create": _l("créé"),
    "update": _l("modifié"),
}
NARRATIVE_LABELS = {
    "highlights": _l("Faits marquants de la période"),
    "difficulties": _l("Difficultés rencontrées"),
    "support_needed": _l("Appui souhaité de la part du programme"),
}
_CELLS = {cell.value: cell for cell in Cell}
_CELL_ORDER = list(Cell)


@dataclass(frozen=True)
class Change:
    """One audited field, before → after. For a figure `indicator` is set when the indicator is known
    (`code` otherwise) and `cell` names the cell; for a comment `cell` is None; narrative fields have
    `narrative` set to their name."""

    key: str
    before: object
    after: object
    code: str | None = None
    indicator: Indicator | None = None
    cell: Cell | None = None
    narrative: str | None = None

    @property
    def is_figure(self) -> bool:
        return self.cell is not None

    @property
    def is_comment(self) -> bool:
        return self.code is not None and self.cell is None

    @property
    def narrative_label(self):
        return NARRATIVE_LABELS.get(self.narrative, self.narrative)

    @property
    def before_value(self):
        return _number(self.before) if self.is_figure else self.before

    @property
    def after_value(self):
        return _number(self.after) if self.is_figure else self.after


def _number(text) -> Decimal | None:
    try:
        return None if text is None else Decimal(str(text))
    except InvalidOperation:
        return None


@dataclass
class Step:
    """One audited event: a transition, the creation, or a save that changed figures or narrative."""

    event: AuditEvent
    user: User | None
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self):
        return STEP_LABELS.get(self.event.action, self.event.action)

    @property
    def why(self) -> str | None:
        """The review comment or reopening reason that came with a transition."""
        changes = self.event.changes or {}
        pair = changes.get("reason") or (changes.get("review_comment") if "status" in changes else None)
        return pair[1] if pair else None


@dataclass
class ReportHistory:
    steps: list[Step]
    returned: Step | None = None  # the last time the report was returned
    since_return: list[Change] = field(default_factory=list)


def _rank(change: Change, order: dict[str, int]) -> tuple:
    """Figures in the report's order (each indicator's cells, then its comment), then the narrative."""
    if change.narrative:
        return (1, NARRATIVE_FIELDS.index(change.narrative), 0)
    return (0, order.get(change.code, len(order)), _CELL_ORDER.index(change.cell) if change.cell else len(_CELL_ORDER))


def _changes(event: AuditEvent, by_code: dict[str, Indicator]) -> list[Change]:
    if event.action not in ("create", "update"):
        return []
    result = []
    for key, pair in sorted((event.changes or {}).items()):
        before, after = pair
        if key in NARRATIVE_FIELDS:
            result.append(Change(key, before, after, narrative=key))
            continue
        code, dot, part = key.rpartition(".")
        if not dot or (part != "comment" and part not in _CELLS):
            continue  # "period" on creation: not a change anybody needs to review
        result.append(Change(key, before, after, code=code, indicator=by_code.get(code), cell=_CELLS.get(part)))
    return result


def _since(steps: list[Step]) -> list[Change]:
    """Each key changed in `steps`, from its first `before` to its last `after`; back-and-forth dropped."""
    folded: dict[str, Change] = {}
    for step in steps:
        for change in step.changes:
            first = folded.get(change.key, change)
            folded[change.key] = Change(change.key, first.before, change.after, change.code, change.indicator,
                                        change.cell, change.narrative)
    return [c for c in folded.values() if c.before != c.after]


def report_history(report: PeriodReport, indicators: list[Indicator]) -> ReportHistory:
    """The report's audited events oldest first, with their authors, and what changed since it was last
    returned (empty when it never was). One query."""
    rows = db.session.execute(
        sa.select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == "period_report", AuditEvent.entity_id == report.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    by_code = {i.code: i for i in indicators}
    order = {i.code: n for n, i in enumerate(indicators)}
    steps = [Step(event, user, sorted(_changes(event, by_code), key=lambda c: _rank(c, order)))
             for event, user in rows]
    returns = [n for n, step in enumerate(steps) if step.event.action == "return"]
    if not returns:
        return ReportHistory(steps)
    last = returns[-1]
    since = sorted(_since(steps[last + 1:]), key=lambda c: _rank(c, order))
    return ReportHistory(steps, steps[last], since)
