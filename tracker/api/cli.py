"""`flask api token create|revoke`: personal access tokens from the command line (audited, actor: none)."""

import click
from flask.cli import with_appcontext

from tracker.api import access_tokens
from tracker.api.models import ApiToken
from tracker.auth.services import get_by_email
from tracker.core.services import ServiceError
from tracker.extensions import db


@click.group("api", help="The read API.")
def api_cli():
    pass


@api_cli.group("token", help="Personal access tokens.")
def token_cli():
    pass


@token_cli.command("create", help="Create a token; prints it once (only its hash is kept).")
@click.option("--email", required=True, help="E-mail of the account the token acts as.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(access_tokens.SCOPES),
              help="Scope; repeat for several.")
@click.option("--days", type=int, default=access_tokens.DEFAULT_DAYS, show_default=True,
              help="Days before it expires (at most 365).")
@click.option("--name", default="CLI", show_default=True, help="Name shown on the account page.")
@with_appcontext
def create_command(email, scopes, days, name):
    owner = get_by_email(email)
    if owner is None:
        raise click.ClickException(f"no account with the e-mail {email!r}.")
    try:
        secret, token = access_tokens.create(None, owner, name=name, scopes=scopes, days=days)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Token {token.id} ({token.prefix}) for {owner.email}, expires {token.expires_at.date()}:", err=True)
    click.echo(secret)


@token_cli.command("revoke", help="Revoke a token by its id.")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token with the id {token_id}.")
    if not access_tokens.revoke(None, token):
        raise click.ClickException(f"token {token_id} is already revoked.")
    db.session.commit()
    click.echo(f"Token {token_id} ({token.prefix}) revoked.")
