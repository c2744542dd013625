from flask import Blueprint

from alliance_conf.design import views

bp = Blueprint("design", __name__, url_prefix="/design")
bp.add_url_rule("/", "reference", views.reference, methods=["GET", "POST"])
bp.add_url_rule("/confirm", "confirm", views.confirm, methods=["POST"])
bp.add_url_rule("/export.csv", "export", views.export)
