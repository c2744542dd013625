from flask import Blueprint

from alliance_conf.declarations import views

bp = Blueprint("declarations", __name__, template_folder="templates")

bp.add_url_rule("/conferences/<slug>/declarations", "index", views.index)
bp.add_url_rule(
    "/conferences/<slug>/declarations/new", "create", views.create, methods=["GET", "POST"]
)
bp.add_url_rule("/declarations/<int:declaration_id>", "show", views.show)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/edit", "edit", views.edit, methods=["GET", "POST"]
)
bp.add_url_rule("/declarations/<int:declaration_id>/history", "history", views.history)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/revisions/<int:number>", "revision", views.revision
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/revisions/<int:number>/canonical.json",
    "canonical_json",
    views.canonical_json,
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/revisions/<int:number>/manifest.json",
    "manifest_json",
    views.manifest_json,
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/translate/<language>",
    "translate",
    views.translate,
    methods=["GET", "POST"],
)
bp.add_url_rule("/declarations/<int:declaration_id>/compare", "compare", views.compare)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/transition",
    "transition",
    views.transition,
    methods=["GET", "POST"],
)
bp.add_url_rule("/declarations/<int:declaration_id>/amendments", "amendments", views.amendments)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/amendments/new",
    "amendment_new",
    views.amendment_new,
    methods=["GET", "POST"],
)
bp.add_url_rule("/amendments/<int:amendment_id>", "amendment", views.amendment)
bp.add_url_rule(
    "/amendments/<int:amendment_id>/edit",
    "amendment_edit",
    views.amendment_edit,
    methods=["GET", "POST"],
)
for name in ("submit", "withdraw", "support", "accept", "reject", "comment"):
    bp.add_url_rule(
        f"/amendments/<int:amendment_id>/{name}",
        f"amendment_{name}",
        getattr(views, f"amendment_{name}"),
        methods=["POST"],
    )
bp.add_url_rule("/translators", "translators", views.translators, methods=["GET", "POST"])
