from flask import Blueprint

from alliance_conf.ops import views

bp = Blueprint("ops", __name__)
bp.add_url_rule("/healthz", "healthz", views.healthz)
