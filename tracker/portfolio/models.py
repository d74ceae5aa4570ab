import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class ProjectAttention(db.Model):
    """A project's portfolio figures and attention score as of one day (issue 20): what the staff portfolio
    ranks and shows. Derived data (`tracker.portfolio.attention`): every write of what it sums marks the row
    stale in the same transaction; the portfolio recomputes the stale rows of the projects it shows, and every
    row once a day, as the score depends on the date."""

    __tablename__ = "project_attention"
    # The portfolio's order: walked from the top, a page of the whole programme reads 25 rows, not 20,000.
    __table_args__ = (sa.Index("ix_project_attention_rank", "as_of", "score", "overdue_items", "late_milestones"),)

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    as_of: Mapped[Optional[dt.date]]  # the day the figures are for; NULL: stale
    refreshing: Mapped[Optional[str]] = mapped_column(sa.String(32))  # the refresh that holds the row
    last_session: Mapped[Optional[dt.date]]
    next_session: Mapped[Optional[dt.date]]
    open_items: Mapped[int] = mapped_column(server_default="0")
    overdue_items: Mapped[int] = mapped_column(server_default="0")
    late_milestones: Mapped[int] = mapped_column(server_default="0")
    late_points: Mapped[int] = mapped_column(server_default="0")
    returned_reports: Mapped[int] = mapped_column(server_default="0")
    reports_done: Mapped[int] = mapped_column(server_default="0")
    overdue_reports: Mapped[int] = mapped_column(server_default="0")
    score: Mapped[int] = mapped_column(server_default="0")

    def __repr__(self) -> str:
        return f"<ProjectAttention p{self.project_id} {self.as_of} {self.score}>"
