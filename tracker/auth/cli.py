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
