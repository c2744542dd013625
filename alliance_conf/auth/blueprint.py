from flask import Blueprint

from alliance_conf.auth import views

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["GET", "POST"])
bp.add_url_rule("/forgot", "forgot_password", views.forgot_password, methods=["GET", "POST"])
bp.add_url_rule(
    "/password/<token>", "choose_password", views.choose_password, methods=["GET", "POST"]
)
bp.add_url_rule("/password", "change_password", views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/email", "change_email", views.change_email, methods=["GET", "POST"])
bp.add_url_rule("/passkeys", "passkeys", views.passkeys_page, methods=["GET", "POST"])
bp.add_url_rule(
    "/passkeys/options",
    "passkey_registration_options",
    views.passkey_registration_options,
    methods=["POST"],
)
bp.add_url_rule(
    "/passkeys/<int:passkey_id>/remove", "passkey_remove", views.passkey_remove, methods=["POST"]
)
bp.add_url_rule(
    "/login/passkey/options",
    "passkey_login_options",
    views.passkey_login_options,
    methods=["POST"],
)
bp.add_url_rule("/login/passkey", "passkey_login", views.passkey_login, methods=["POST"])
