from flask import Blueprint

from alliance_conf.health import views

bp = Blueprint("health", __name__)
bp.add_url_rule("/healthz", "healthz", views.healthz)
