from flask import Blueprint

bp = Blueprint("milestones", __name__, url_prefix="/milestones")
