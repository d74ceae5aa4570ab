"""Bulk invitations after an import (issue 17): the leads with an e-mail and no account, in their language."""

import re

import sqlalchemy as sa

from tests.factories import CohortFactory
from tests.mailsink import text_of
from tracker.auth.models import User
from tracker.extensions import db
from tracker.projects.models import Member, Project


def _import_sample(runner, slug):
    from tests.imports.conftest import SAMPLE_XLSX

    result = runner.invoke(args=["import", "projects", str(SAMPLE_XLSX), "--cohort", slug, "--skip-invalid"])
    assert result.exit_code == 0, result.output


def _leads_with_email(cohort):
    return db.session.execute(
        sa.select(Member.id, Member.email, Member.project_id).join(Project, Project.id == Member.project_id)
        .where(Project.cohort_id == cohort.id, Member.is_lead.is_(True), Member.email.is_not(None))).all()


def test_after_importing_the_sample_one_email_per_lead_in_their_language(app, runner, actors, login_as, sink):
    cohort = CohortFactory(slug="forum-safi-invitations")
    db.session.commit()
    _import_sample(runner, cohort.slug)
    leads = _leads_with_email(cohort)
    assert len(leads) > 10  # the sample's leads with an address (those without one cannot be invited)
    admin = login_as("admin")
    page = admin.get(f"/invitations/leads?cohort={cohort.id}").get_data(as_text=True)
    listed = set(int(n) for n in re.findall(r'name="lead" value="(\d+)"', page))
    assert listed == {member_id for member_id, _email, _project in leads}

    arabic_lead = leads[0]
    data = {"lead": [str(m) for m in listed], f"locale-{arabic_lead.id}": "ar"}
    assert admin.post(f"/invitations/leads?cohort={cohort.id}", data=data).status_code == 302
    messages = sink.wait_for(len(leads))
    assert sorted(m["To"] for m in messages) == sorted(email.lower() for _id, email, _p in leads)
    by_address = {m["To"]: m for m in messages}
    arabic = by_address[arabic_lead.email.lower()]
    assert arabic["Content-Language"] == "ar" and re.search(r"[\u0600-\u06FF]", text_of(arabic))
    others = [m for address, m in by_address.items() if address != arabic_lead.email.lower()]
    assert all(m["Content-Language"] == "fr" and "vous invite" in text_of(m) for m in others)

    for _member_id, email, project_id in leads:
        user = db.session.scalar(sa.select(User).where(User.email == email.lower()))
        assert user.role == "holder" and [p.id for p in user.projects] == [project_id]
    assert db.session.scalar(sa.select(User.locale).where(User.email == arabic_lead.email.lower())) == "ar"
    again = admin.get(f"/invitations/leads?cohort={cohort.id}").get_data(as_text=True)
    assert 'name="lead"' not in again  # everyone invited has an account now


def test_only_the_ticked_leads_are_invited(app, runner, actors, login_as, sink):
    cohort = CohortFactory(slug="forum-safi-ticked")
    db.session.commit()
    _import_sample(runner, cohort.slug)
    first, second = _leads_with_email(cohort)[:2]
    login_as("admin").post(f"/invitations/leads?cohort={cohort.id}", data={"lead": [str(first.id)]})
    assert [m["To"] for m in sink.wait_for(1)] == [first.email.lower()]
    assert db.session.scalar(sa.select(User).where(User.email == second.email.lower())) is None


def test_staff_see_the_leads_of_their_projects_only(app, runner, actors, login_as, sink):
    cohort = CohortFactory(slug="forum-safi-staff")
    db.session.commit()
    _import_sample(runner, cohort.slug)
    lead = _leads_with_email(cohort)[0]
    db.session.get(Project, lead.project_id).staff = [actors.staff]
    db.session.commit()
    page = login_as("staff").get(f"/invitations/leads?cohort={cohort.id}").get_data(as_text=True)
    assert re.findall(r'name="lead" value="(\d+)"', page) == [str(lead.id)]
