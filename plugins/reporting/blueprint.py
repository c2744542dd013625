from flask import Blueprint

from plugins.reporting import views

bp = Blueprint("reporting", __name__, template_folder="templates")


@bp.context_processor
def declaration_access():
    """The pages link back to the declaration only for people allowed to read it."""
    from flask_login import current_user

    from alliance_conf.declarations.operations import can_view
    from plugins.reporting.models import action_status_title

    return {
        "can_view_declaration": lambda declaration: can_view(declaration, current_user),
        "action_status_title": action_status_title,
        "snapshot_date": snapshot_date,
    }


def snapshot_date(value, conference=None) -> str:
    """A date kept as ISO text (a submitted report's snapshot of its actions), shown like
    every other date."""
    from datetime import date

    from alliance_conf.formatting import format_date

    try:
        return format_date(date.fromisoformat(value), conference)
    except (TypeError, ValueError):
        return value or ""


bp.add_url_rule("/reporting", "index", views.index)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting", "overview", views.declaration_overview
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting/progress.svg",
    "progress_chart",
    views.progress_chart,
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting/figures.<fmt>",
    "figures_export",
    views.figures_export,
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting/rounds/new",
    "round_new",
    views.round_new,
    methods=["GET", "POST"],
)
bp.add_url_rule("/reporting/rounds/<int:round_id>", "round_show", views.round_show)
bp.add_url_rule(
    "/reporting/rounds/<int:round_id>/remind", "round_remind", views.round_remind, methods=["POST"]
)
bp.add_url_rule("/reporting/rounds/<int:round_id>/report.<fmt>", "round_export", views.round_export)
bp.add_url_rule("/reporting/reports/<int:report_id>", "report_show", views.report_show)
bp.add_url_rule(
    "/reporting/reports/<int:report_id>/edit",
    "report_edit",
    views.report_edit,
    methods=["GET", "POST"],
)
for name in ("submit", "review", "return"):
    bp.add_url_rule(
        f"/reporting/reports/<int:report_id>/{name}",
        f"report_{name}",
        getattr(views, f"report_{name}"),
        methods=["POST"],
    )
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting/actions", "actions_index", views.actions_index
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/reporting/actions/new",
    "action_new",
    views.action_new,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/reporting/actions/<int:action_id>/edit",
    "action_edit",
    views.action_edit,
    methods=["GET", "POST"],
)
