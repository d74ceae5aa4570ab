"""The project leads a cohort's import knows by e-mail who have no account yet (bulk invitations)."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.core.permissions import Role, assigned_project_ids
from tracker.extensions import db
from tracker.projects.models import Member, Project

ARABIC = re.compile(r"[\u0600-\u06FF]")


@dataclass
class LeadRow:
    member_id: int
    full_name: str
    email: str
    project_id: int
    project_code: str | None
    project_name: str

    @property
    def locale(self) -> str:
        """The language suggested for the invitation: Arabic for a name written in Arabic script, French
        otherwise (the person who invites may change it)."""
        return "ar" if ARABIC.search(self.full_name or "") else "fr"


def uninvited_leads(actor, cohort) -> list[LeadRow]:
    """Leads of the cohort's projects with an e-mail and no account of that address (two queries); staff
    see the projects assigned to them only."""
    stmt = (
        sa.select(Member.id, Member.full_name, Member.email, Project.id, Project.code, Project.name)
        .join(Project, Project.id == Member.project_id)
        .where(Project.cohort_id == cohort.id, Member.is_lead.is_(True), Member.email.is_not(None),
               Member.email != "", Member.erased_at.is_(None))
        .where(~sa.exists().where(User.email == sa.func.lower(sa.func.trim(Member.email))))
        .order_by(Project.code, Project.name, Member.id)
    )
    if actor.role == Role.STAFF:
        stmt = stmt.where(Project.id.in_(assigned_project_ids(actor) or [-1]))
    return [LeadRow(mid, name, address.strip().lower(), pid, code, pname)
            for mid, name, address, pid, code, pname in db.session.execute(stmt)]
