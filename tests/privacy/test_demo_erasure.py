"""Issue 8 acceptance: erasing five demo members through HTTP leaves every figure of the cohort report JSON
unchanged, and their names, phones and e-mails are gone from the members table and the audit trail."""

import datetime as dt
import json

import sqlalchemy as sa

from tests.reports.test_services import _load_demo
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.projects.models import Member, Project, Sex
from tracker.reports.services import report_json
from tracker.trainings.models import Attendance


def _pick_five(cohort) -> list[Member]:
    """Members whose erasure could move a figure if a counted field were lost: a woman lead (women-led),
    a young lead (youth-led), a man, members with attendance, an owner of shares."""
    members = list(db.session.scalars(
        sa.select(Member).join(Project).where(Project.cohort_id == cohort.id).order_by(Member.id)
    ))
    attending = set(db.session.scalars(sa.select(Attendance.member_id).where(Attendance.present.is_(True))))
    today = dt.date.today()

    def young(m):
        return m.birth_date is not None and 15 <= (today - m.birth_date).days // 365 <= 34

    rules = [
        lambda m: m.is_lead and m.sex == Sex.F,
        lambda m: m.is_lead and young(m),
        lambda m: m.sex == Sex.M and m.id in attending,
        lambda m: not m.is_lead and m.ownership_pct and m.sex == Sex.F,
        lambda m: m.id in attending and young(m),
    ]
    picked: list[Member] = []
    for rule in rules:
        picked.append(next(m for m in members if rule(m) and m not in picked))
    assert all(m.phone or m.email for m in picked)
    return picked


def _reports(cohort) -> list[str]:
    """The whole cohort life, a window cutting it, and one counting submitted values too."""
    start, today = cohort.start_date, dt.date.today()
    return [
        report_json([cohort.id], None, None),
        report_json([cohort.id], start + dt.timedelta(days=45), today - dt.timedelta(days=20)),
        report_json([cohort.id], start, today, include_submitted=True),
    ]


def test_erasing_five_demo_members_changes_no_figure(runner, login_as):
    cohort = _load_demo(runner)
    db.session.commit()
    before = _reports(cohort)
    assert json.loads(before[0])["people"]["members"] > 5

    five = _pick_five(cohort)
    identifying = {m.id: [v for v in (m.full_name, m.phone, m.email) if v] for m in five}
    client = login_as("admin")
    for member in five:
        response = client.post(f"/admin/privacy/members/{member.id}/erase",
                               data={"reason": "Demande de la personne (test)", "confirmation": str(member.id)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()

    after = _reports(cohort)
    for old, new in zip(before, after, strict=True):
        assert new == old

    members_text = json.dumps([list(row) for row in db.session.execute(sa.select(Member.__table__))],
                              default=str, ensure_ascii=False)
    trail = list(db.session.scalars(sa.select(AuditEvent.changes)))
    trail_text = json.dumps(trail, ensure_ascii=False) + json.dumps(trail)  # as read, and as stored (escaped)
    for member_id, values in identifying.items():
        assert db.session.get(Member, member_id).full_name == f"Membre effacé #{member_id}"
        for value in values:
            assert value not in members_text, value
            assert value not in trail_text, value
    erasures = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "member.erase"))
    assert erasures == 5
