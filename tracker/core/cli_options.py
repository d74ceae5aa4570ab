"""Click helpers shared by the features' command-line groups."""

import datetime as dt

import click


def iso_date(ctx, param, value: str | None) -> dt.date | None:
    """Option callback: a YYYY-MM-DD text becomes a date; anything else is a usage error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD.") from None
