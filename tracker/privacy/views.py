"""Personal data (law 09-08): an admin exports everything held about one member, or erases them."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")
