import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.services import verify_password
from tracker.cohorts.models import Cohort
from tracker.extensions import db


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "--email", "Cli.User@Example.org", "--role", "manager",
                                 "--name", "Cli User"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli.user@example.org"))
    assert user.role.value == "manager" and verify_password(user, "a-long-password")


def test_users_create_refuses_bad_input(runner):
    short = runner.invoke(args=["users", "create", "--email", "a@example.org", "--role", "staff"], input="short\n")
    bad_role = runner.invoke(args=["users", "create", "--email", "b@example.org", "--role", "king"], input="x\n")
    assert short.exit_code != 0 and "12" in short.output
    assert bad_role.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_cohort_create_and_duplicate_slug(runner):
    args = ["cohort", "create", "innov-impact-2025-safi", "--name", "Innov Impact 2025 — Safi", "--city", "Safi",
            "--forum-date", "2025-02-20", "--start", "2025-03-01", "--end", "2026-02-28", "--frequency", "quarterly"]
    assert runner.invoke(args=args).exit_code == 0
    cohort = db.session.scalar(sa.select(Cohort))
    assert cohort.slug == "innov-impact-2025-safi" and cohort.city == "Safi"
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    bad_date = runner.invoke(args=["cohort", "create", "x", "--name", "X", "--start", "31/02/2025"])
    assert bad_date.exit_code != 0 and "YYYY-MM-DD" in bad_date.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1
