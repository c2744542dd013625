from flask import Blueprint

from alliance_conf.registrations import views

bp = Blueprint("registrations", __name__, template_folder="templates")
bp.add_url_rule("/privacy", "privacy", views.privacy)
bp.add_url_rule("/me", "mine", views.mine)
bp.add_url_rule("/me/data.json", "my_data", views.my_data)
bp.add_url_rule("/me/erase", "erase", views.erase, methods=["GET", "POST"])
bp.add_url_rule("/registrations/<int:registration_id>", "show", views.show)
bp.add_url_rule(
    "/registrations/<int:registration_id>/status",
    "change_status",
    views.change_status,
    methods=["POST"],
)
bp.add_url_rule(
    "/registrations/<int:registration_id>/signatory",
    "designate_signatory",
    views.designate_signatory,
    methods=["POST"],
)
bp.add_url_rule(
    "/registrations/<int:registration_id>/signatory/revoke",
    "revoke_signatory",
    views.revoke_signatory,
    methods=["POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/registrations/pending",
    "pending",
    views.pending,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/conferences/<slug>/registrations/new",
    "create_on_behalf",
    views.create_on_behalf,
    methods=["GET", "POST"],
)
bp.add_url_rule("/conferences/<slug>/my-delegation", "my_delegation", views.my_delegation)
bp.add_url_rule(
    "/conferences/<slug>/delegations/<int:delegation_id>/members", "members", views.members
)
bp.add_url_rule("/conferences/<slug>/signatories", "signatories", views.signatories)
bp.add_url_rule(
    "/registrations/<int:registration_id>/function",
    "confirm_function",
    views.confirm_function,
    methods=["POST"],
)
bp.add_url_rule(
    "/registrations/<int:registration_id>/full-powers",
    "full_powers",
    views.full_powers,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/full-powers/<int:powers_id>/document", "full_powers_document", views.full_powers_document
)
bp.add_url_rule(
    "/conferences/<slug>/full-powers", "full_powers_register", views.full_powers_register
)
bp.add_url_rule("/conferences/<slug>/full-powers.csv", "full_powers_csv", views.full_powers_csv)
