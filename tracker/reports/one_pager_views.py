"""The holder's one-pager: a PDF of one project in the reader's language (route on the report_files blueprint)."""

from tracker.reports.downloads import bp  # noqa: F401
