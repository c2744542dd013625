from flask import Blueprint

from alliance_conf.invitations import views

bp = Blueprint("invitations", __name__, template_folder="templates")
bp.add_url_rule("/conferences/<slug>/invitations", "index", views.index)
bp.add_url_rule(
    "/conferences/<slug>/invitations/new", "create", views.create, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/conferences/<slug>/invitations/import",
    "import_csv",
    views.import_csv,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/invitations/import/template.csv", "import_template", views.import_template
)
bp.add_url_rule(
    "/conferences/<slug>/invitations/<int:invitation_id>/resend",
    "resend",
    views.resend,
    methods=["POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/invitations/<int:invitation_id>/revoke",
    "revoke",
    views.revoke,
    methods=["POST"],
)
bp.add_url_rule("/register/<token>", "register", views.register, methods=["GET", "POST"])
bp.add_url_rule("/register/<token>/decline", "decline", views.decline, methods=["GET", "POST"])
