from flask import Blueprint

from alliance_conf.auth import views

bp = Blueprint("auth", __name__, url_prefix="/auth")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["GET", "POST"])
