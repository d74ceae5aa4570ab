"""`flask reminders send`: e-mail holders about the reports that need them (see periods/reminders.py)."""

import datetime as dt

import click
from flask.cli import with_appcontext

from tracker.core import mail
from tracker.core.cli_options import iso_date
from tracker.extensions import db
from tracker.periods import reminders


@click.group("reminders", help="E-mail reminders to project holders.")
def reminders_cli():
    pass


@reminders_cli.command(
    "send",
    help="E-mail each holder the reports due within 7 days, overdue or returned: one e-mail per holder, "
         "each item at most once a day. SMTP settings come from MAIL_* environment variables.",
)
@click.option("--dry-run", is_flag=True, help="Print the e-mails that would be sent; send and record nothing.")
@click.option("--today", callback=iso_date, default=None, help="Reference date (YYYY-MM-DD); default: today.")
@with_appcontext
def send_command(dry_run: bool, today: dt.date | None):
    today = today or dt.date.today()
    pending = reminders.pending_reminders(today)
    if not pending:
        click.echo(f"No reminder to send on {today.isoformat()}.")
        return
    if dry_run:
        for reminder in pending:
            subject, body = reminders.render_reminder(reminder)
            click.echo(f"To: {reminder.user.email} ({reminder.user.locale})")
            click.echo(f"Subject: {subject}")
            click.echo("")
            click.echo(body)
            click.echo("-" * 60)
        items = sum(len(r.items) for r in pending)
        click.secho(f"Dry run: {len(pending)} e-mail(s) listing {items} report(s) would be sent; "
                    "nothing was sent or recorded.", fg="yellow")
        return

    sent, failures = 0, []
    try:
        with mail.connection() as connection:
            for reminder in pending:
                subject, body = reminders.render_reminder(reminder)
                try:
                    connection.send(mail.build_message(reminder.user.email, subject, body, reminder.user.locale))
                except mail.MailError as error:
                    failures.append(f"{reminder.user.email}: {error}")
                    if error.fatal:
                        break
                    continue
                # Recorded (and committed) as soon as it is sent: a failure later does not resend it.
                reminders.record_sent(reminder, today)
                db.session.commit()
                sent += 1
    except mail.MailError as error:
        failures.append(str(error))
    click.echo(f"Sent {sent} reminder e-mail(s) of {len(pending)}.")
    if failures:
        unsent = len(pending) - sent
        raise click.ClickException(
            f"SMTP failure, {unsent} e-mail(s) not sent and not recorded (run the command again to retry):\n  "
            + "\n  ".join(failures)
        )
