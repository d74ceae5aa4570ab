"""One factory per model; fictional people only."""

import datetime as dt
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.auth.models import User
from tracker.cohorts.models import Cohort, Frequency
from tracker.extensions import db
from tracker.projects.models import Member, MemberRole, Project, ProjectStatus, Sector, Sex

TEST_PASSWORD = "correct-horse-battery"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the per-test session
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User
        exclude = ("password",)

    password = TEST_PASSWORD
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Utilisateur {n}")
    role = "staff"
    locale = "fr"

    @factory.lazy_attribute
    def password_hash(self):
        from tracker.auth.services import hash_password

        return hash_password(self.password)

    @factory.post_generation
    def projects(obj, create, extracted, **kwargs):
        if extracted:
            obj.projects = list(extracted)


class CohortFactory(Base):
    class Meta:
        model = Cohort

    slug = factory.Sequence(lambda n: f"cohorte-test-{n}")
    name = factory.Sequence(lambda n: f"Cohorte test {n}")
    city = "Safi"
    province = "Safi"
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2026, 12, 31)
    reporting_frequency = Frequency.QUARTERLY


class ProjectFactory(Base):
    class Meta:
        model = Project

    cohort = factory.SubFactory(CohortFactory)
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"Projet fictif {n}")
    sector = Sector.DIGITAL
    province = "Safi"
    commune = "Safi"
    status = ProjectStatus.ACTIVE

    @factory.post_generation
    def lead(obj, create, extracted, **kwargs):
        """Every project gets its lead member, as the service guarantees."""
        if extracted is False:
            return
        MemberFactory(project=obj, is_lead=True, **kwargs)


class MemberFactory(Base):
    class Meta:
        model = Member

    project = factory.SubFactory(ProjectFactory, lead=False)
    full_name = factory.Sequence(lambda n: f"Membre Fictif {n}")
    sex = Sex.F
    birth_date = dt.date(1998, 5, 17)
    role = MemberRole.FOUNDER
    is_lead = False
    ownership_pct = None
    consent_date = dt.date(2025, 1, 15)
    consent_purpose = "Suivi du projet par le programme d'incubation"


__all__ = ["UserFactory", "CohortFactory", "ProjectFactory", "MemberFactory", "Decimal"]
