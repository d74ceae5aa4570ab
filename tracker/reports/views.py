"""The cohort report on screen (DESIGN §6): filters, seven sections with charts, completeness grid, needs attention."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
