from flask import Blueprint

bp = Blueprint("periods", __name__, url_prefix="/reports")
