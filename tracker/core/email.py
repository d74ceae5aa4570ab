"""E-mails people receive: rendered in the recipient's language, text and HTML, sent as a background job.

`compose()` renders templates/mail/<name>.txt and .html inside `force_locale(locale)` and returns the
plain-data payload that `tracker.core.mail.deliver` sends (it travels through the job queue). Every
message names the app (APP_NAME) and writes its link out in full, so it works in any mail client.
"""

import os

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale


def app_name() -> str:
    return current_app.config.get("APP_NAME") or "Mowakaba"


def external_url(endpoint: str, **values) -> str | None:
    """An absolute link: from BASE_URL when set (the command line has no request to build it from),
    else from the current request's host; None from the command line without BASE_URL."""
    base = current_app.config.get("BASE_URL") or os.environ.get("BASE_URL")
    if base:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return base.rstrip("/") + path
    if not has_request_context():
        return None
    return url_for(endpoint, _external=True, **values)


def compose(to: str, locale: str | None, template: str, subject, **context) -> dict:
    """{"to", "subject", "text", "html", "language"} for templates/mail/<template>.*; `subject` is a lazy
    string, translated here in the recipient's language."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = {"app_name": app_name(), "locale": locale, **context}
        return {
            "to": to,
            "subject": str(subject),
            "text": render_template(f"mail/{template}.txt", **context),
            "html": render_template(f"mail/{template}.html", **context),
            "language": locale,
        }


def send(payload: dict) -> None:
    """Queues the message once the transaction commits (jobs.after_commit)."""
    from tracker.core import jobs
    from tracker.core.mail import deliver

    jobs.after_commit(deliver, payload)
