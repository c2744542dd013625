from flask import Blueprint

from alliance_conf.auth import views

bp = Blueprint("auth", __name__, url_prefix="/auth")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["GET", "POST"])
bp.add_url_rule("/forgot", "forgot_password", views.forgot_password, methods=["GET", "POST"])
bp.add_url_rule(
    "/password/<token>", "choose_password", views.choose_password, methods=["GET", "POST"]
)
bp.add_url_rule("/password", "change_password", views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/email", "change_email", views.change_email, methods=["GET", "POST"])
