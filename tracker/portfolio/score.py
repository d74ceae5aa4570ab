"""How much a project needs attention, as one number (issue 18): the cohort report's "projects to follow"
list is ranked by it, and the staff portfolio puts its red bar on the projects whose score is above zero and
lists them by it. Both call `attention_score` (the portfolio through `score_sql`, the same rule in SQL).

Points, so that what weighs most comes first:
- each overdue report (period ended, nothing submitted): OVERDUE_REPORT (30), the heaviest;
- each report returned for correction and not sent again: RETURNED_REPORT (20);
- each late milestone (neither achieved nor dropped, planned date passed): LATE_MILESTONE_BASE (3) plus one
  point per full LATE_MILESTONE_STEP (15) days late, at most LATE_MILESTONE_MAX (12);
- no mentoring session for more than QUIET_DAYS (60) days: QUIET_BASE (5) plus one point per full
  QUIET_STEP (10) days beyond, at most QUIET_MAX (15); never mentored: QUIET_MAX.
"""

from dataclasses import dataclass

QUIET_DAYS = 60
OVERDUE_REPORT = 30
RETURNED_REPORT = 20
LATE_MILESTONE_BASE, LATE_MILESTONE_STEP, LATE_MILESTONE_MAX = 3, 15, 12
QUIET_BASE, QUIET_STEP, QUIET_MAX = 5, 10, 15


def milestone_points(days_late: int) -> int:
    """Points of one late milestone, `days_late` days after its planned date (≥ 1)."""
    return min(LATE_MILESTONE_MAX, LATE_MILESTONE_BASE + days_late // LATE_MILESTONE_STEP)


def quiet_points(days_since_session: int | None) -> int:
    """Points for the time without a session: none within QUIET_DAYS; never mentored counts as the most."""
    if days_since_session is None:
        return QUIET_MAX
    if days_since_session <= QUIET_DAYS:
        return 0
    return min(QUIET_MAX, QUIET_BASE + (days_since_session - QUIET_DAYS) // QUIET_STEP)


@dataclass(frozen=True)
class Score:
    overdue_reports: int
    returned_reports: int
    milestones: int  # points of the late milestones
    quiet: int  # points of the time without a session

    @property
    def total(self) -> int:
        return OVERDUE_REPORT * self.overdue_reports + RETURNED_REPORT * self.returned_reports \
            + self.milestones + self.quiet

    @property
    def main_reason(self) -> str | None:
        """The reason that weighs most in this score: overdue_reports, returned_reports, late_milestones,
        no_session (None when the score is 0)."""
        parts = {"overdue_reports": OVERDUE_REPORT * self.overdue_reports,
                 "returned_reports": RETURNED_REPORT * self.returned_reports,
                 "late_milestones": self.milestones, "no_session": self.quiet}
        best = max(parts, key=lambda k: parts[k])
        return best if parts[best] else None


def attention_score(overdue_reports: int, returned_reports: int, milestone_days_late: list[int],
                    days_since_session: int | None) -> Score:
    return Score(overdue_reports, returned_reports, sum(milestone_points(d) for d in milestone_days_late),
                 quiet_points(days_since_session))
