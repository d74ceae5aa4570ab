"""The audit viewer for admins: filter the trail by user, action, entity and date; before → after."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
