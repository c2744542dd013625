from flask import Blueprint

from alliance_conf.participants import views

bp = Blueprint("participants", __name__, template_folder="templates")
prefix = "/conferences/<slug>"
bp.add_url_rule(f"{prefix}/participants", "index", views.index)
bp.add_url_rule(f"{prefix}/participants/export.<any(csv, xlsx):fmt>", "export", views.export)
bp.add_url_rule(
    f"{prefix}/participants/import", "import_csv", views.import_csv, methods=["GET", "POST"]
)
bp.add_url_rule(
    f"{prefix}/participants/import/template.csv", "import_template", views.import_template
)
bp.add_url_rule(
    f"{prefix}/participants/export-jobs", "export_job", views.export_job, methods=["POST"]
)
bp.add_url_rule(f"{prefix}/dashboard", "dashboard", views.dashboard)
