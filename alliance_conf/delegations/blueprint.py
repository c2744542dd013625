from flask import Blueprint

from alliance_conf.delegations import views

bp = Blueprint("delegations", __name__, template_folder="templates")
prefix = "/conferences/<slug>/delegations"
bp.add_url_rule(prefix, "index", views.index)
bp.add_url_rule(f"{prefix}/new", "create", views.create, methods=["GET", "POST"])
bp.add_url_rule(f"{prefix}/import", "import_csv", views.import_csv, methods=["GET", "POST"])
bp.add_url_rule(f"{prefix}/import/template.csv", "import_template", views.import_template)
bp.add_url_rule(f"{prefix}/<int:delegation_id>/edit", "edit", views.edit, methods=["GET", "POST"])
bp.add_url_rule(
    f"{prefix}/<int:delegation_id>/deactivate",
    "deactivate",
    views.deactivate,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    f"{prefix}/<int:delegation_id>/reactivate", "reactivate", views.reactivate, methods=["POST"]
)
