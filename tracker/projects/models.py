import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.cohorts.models import Cohort


class Sector(enum.StrEnum):
    DIGITAL = "digital"
    AGRICULTURE = "agriculture"
    TRAINING_SERVICES = "training_services"
    LOCAL_PRODUCTS = "local_products"


class Stage(enum.StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    EARLY_REVENUE = "early_revenue"
    GROWTH = "growth"


class LegalForm(enum.StrEnum):
    NONE = "none"
    AUTO_ENTREPRENEUR = "auto_entrepreneur"
    COOPERATIVE = "cooperative"
    ASSOCIATION = "association"
    COMPANY = "company"


class ProjectStatus(enum.StrEnum):
    ACTIVE = "active"
    GRADUATED = "graduated"
    PAUSED = "paused"
    DROPPED = "dropped"


class Sex(enum.StrEnum):
    F = "F"
    M = "M"


class MemberRole(enum.StrEnum):
    FOUNDER = "founder"
    CO_FOUNDER = "co_founder"
    EMPLOYEE = "employee"


project_staff = sa.Table(
    "project_staff",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_project_staff_user_id", "user_id"),  # a mentor's projects
)

project_holders = sa.Table(
    "project_holders",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_project_holders_user_id", "user_id"),  # a holder's projects
)


class Project(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "code"),
        sa.Index("ix_projects_cohort_id_name", "cohort_id", "name"),
        sa.Index("ix_projects_name_id", "name", "id"),  # the list sorted by name (scale, issue 9)
        sa.Index("ix_projects_province", "province"),  # the province filter's distinct values (skip scan)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Cohorts are never deleted while they hold projects: the history belongs to the funder's report.
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    code: Mapped[Optional[str]] = mapped_column(sa.String(40))  # the forum's project number, e.g. P07
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    sub_sector: Mapped[Optional[str]] = mapped_column(sa.String(120))
    summary: Mapped[Optional[str]] = mapped_column(sa.Text)
    stage: Mapped[Optional[Stage]] = mapped_column(enum_column(Stage, "stage"))
    legal_form: Mapped[Optional[LegalForm]] = mapped_column(enum_column(LegalForm, "legal_form"))
    registration_date: Mapped[Optional[date]]
    province: Mapped[Optional[str]] = mapped_column(sa.String(80))
    commune: Mapped[Optional[str]] = mapped_column(sa.String(80))
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "status"), default=ProjectStatus.ACTIVE, index=True
    )
    status_date: Mapped[Optional[date]]
    status_reason: Mapped[Optional[str]] = mapped_column(sa.Text)

    cohort: Mapped["Cohort"] = relationship(back_populates="projects")
    members: Mapped[list["Member"]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Member.is_lead.desc(), Member.full_name)",
    )
    staff: Mapped[list["User"]] = relationship(secondary=project_staff, order_by="User.display_name")
    holders: Mapped[list["User"]] = relationship(
        secondary=project_holders, back_populates="projects", order_by="User.display_name"
    )

    @property
    def project_id(self) -> int:
        """What the permission table asks of every object it checks: the project it belongs to."""
        return self.id

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"

    @property
    def lead(self) -> Optional["Member"]:
        return next((m for m in self.members if m.is_lead), None)


# Law 09-08: the purpose members agree to when nothing else is said (forum forms, imports, the demo).
DEFAULT_CONSENT_PURPOSE = "Suivi du projet par le programme d'incubation"


class Member(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        sa.CheckConstraint(
            "ownership_pct IS NULL OR (ownership_pct >= 0 AND ownership_pct <= 100)",
            name="ownership_range",
        ),
        # At most one lead per project in the database; "exactly one" is a service rule.
        sa.Index(
            "uq_members_one_lead_per_project",
            "project_id",
            unique=True,
            sqlite_where=sa.text("is_lead"),
            postgresql_where=sa.text("is_lead"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    sex: Mapped[Optional[Sex]] = mapped_column(enum_column(Sex, "sex"))  # None = not stated
    birth_date: Mapped[Optional[date]]
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "member_role"), default=MemberRole.FOUNDER)
    role_title: Mapped[Optional[str]] = mapped_column(sa.String(120))  # as written, e.g. "Co-fondatrice"
    is_lead: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    ownership_pct: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(5, 2))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(20))  # E.164
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    consent_date: Mapped[date]
    # Law 09-08: what the member agreed their data is used for.
    consent_purpose: Mapped[str] = mapped_column(sa.String(200))
    # Law 09-08 erasure (tracker/privacy): set when the identifying fields were removed; the row stays so
    # every aggregate figure (sex, age, lead, ownership, attendance) keeps counting it.
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.full_name!r}>"
