"""Report files: cohort report as XLSX, CSV, PDF and JSON, the IATI file, and the holder's one-pager."""

from flask import Blueprint

bp = Blueprint("report_files", __name__)
