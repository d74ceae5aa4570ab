import sys

import click
from flask.cli import with_appcontext

from tracker.auth import services
from tracker.core.permissions import Role
from tracker.core.services import ServiceError
from tracker.extensions import db


@click.group("users", help="Manage user accounts.")
def users_cli():
    pass


@users_cli.command("create", help="Create an account; the password is read from standard input.")
@click.option("--email", required=True, help="Login e-mail (stored lower-case).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="Role of the account.")
@click.option("--name", default=None, help="Display name (defaults to the e-mail).")
@click.option("--locale", default="fr", type=click.Choice(["fr", "ar", "en"]), help="Preferred language.")
@with_appcontext
def create_user_command(email, role, name, locale):
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.create_user(None, email=email, display_name=name or email, role=role,
                                    password=password, locale=locale)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.secho(f"Created {user.role.value} account {user.email}", fg="green")


@users_cli.command("unlock", help="Lift the login throttling of an account (and of one client address).")
@click.option("--email", required=True, help="Login e-mail of the account.")
@click.option("--address", default=None, help="Also clear this client address's budgets (e.g. an office's).")
@with_appcontext
def unlock_command(email, address):
    from tracker.core import limiter

    user = services.get_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail {email}")
    limiter.unlock(user.email, address)
    services.record_unlock(user, ["manual"] + (["address"] if address else []))
    db.session.commit()
    click.secho(f"Login throttling lifted for {user.email}" + (f" and {address}" if address else ""), fg="green")


@users_cli.command("invite", help="Create an account without a password and e-mail it a single-use link (valid "
                                  "INVITATION_DAYS days) to choose one. Links need BASE_URL.")
@click.option("--email", required=True, help="The person's e-mail address (their login).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="Role of the account.")
@click.option("--project", "projects", multiple=True, help="Project number (code) of a holder; repeat for several.")
@click.option("--cohort", default=None, help="Cohort slug the project numbers belong to (numbers repeat across "
                                             "cohorts).")
@click.option("--locale", default="fr", type=click.Choice(["fr", "ar", "en"]), help="Language of the e-mail and app.")
@click.option("--name", default=None, help="Display name (defaults to the e-mail).")
@with_appcontext
def invite_user_command(email, role, projects, cohort, locale, name):
    import sqlalchemy as sa

    from tracker.auth import invitations
    from tracker.cohorts.models import Cohort
    from tracker.core import email as emails
    from tracker.core import jobs, mail
    from tracker.projects.models import Project

    if not emails.external_url("auth.login"):
        raise click.ClickException("BASE_URL is not set: the invitation link needs the public address of the app.")
    stmt = sa.select(Project).where(Project.code.in_(projects))
    if cohort:
        found = db.session.scalar(sa.select(Cohort).where(Cohort.slug == cohort))
        if found is None:
            raise click.ClickException(f"unknown cohort: {cohort}")
        stmt = stmt.where(Project.cohort_id == found.id)
    matched = list(db.session.scalars(stmt)) if projects else []
    codes = [p.code for p in matched]
    missing = [code for code in projects if code not in codes]
    if missing or len(codes) != len(set(codes)):
        raise click.ClickException(f"project number(s) {', '.join(missing) or ', '.join(projects)} not found once"
                                   + ("" if cohort else " (give --cohort)"))
    try:
        user, payload = invitations.invite_user(None, email_address=email, display_name=name or email, role=role,
                                                locale=locale, project_ids=[p.id for p in matched])
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    try:
        jobs.enqueue(mail.deliver, payload)
    except mail.MailError as error:
        raise click.ClickException(f"account {user.email} created, but the invitation was not sent ({error}); "
                                   "resend it from the accounts page") from None
    click.secho(f"Invited {user.email} ({user.role.value}); the link is valid until "
                f"{invitations.tokens.pending_invitation(user).expires_at:%Y-%m-%d %H:%M} UTC.", fg="green")
