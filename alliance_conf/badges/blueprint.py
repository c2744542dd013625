from flask import Blueprint

from alliance_conf.badges import views

bp = Blueprint("badges", __name__, template_folder="templates")
prefix = "/conferences/<slug>"
bp.add_url_rule(f"{prefix}/badges", "index", views.index)
bp.add_url_rule(f"{prefix}/badges/issue", "issue_missing", views.issue_missing, methods=["POST"])
bp.add_url_rule(f"{prefix}/badges/delegations/<int:delegation_id>", "delegation", views.delegation)
bp.add_url_rule(
    f"{prefix}/badges/delegations/<int:delegation_id>/print",
    "print_delegation",
    views.print_delegation,
    methods=["POST"],
)
bp.add_url_rule(
    f"{prefix}/registrations/<int:registration_id>/badge",
    "issue",
    views.issue,
    methods=["POST"],
)
bp.add_url_rule(f"{prefix}/badges/<int:badge_id>/revoke", "revoke", views.revoke, methods=["POST"])
bp.add_url_rule(f"{prefix}/badges/<int:badge_id>/badge.pdf", "download", views.download)
bp.add_url_rule(f"{prefix}/my-badge.pdf", "own", views.own)
bp.add_url_rule(f"{prefix}/check-in", "checkin", views.checkin, methods=["GET", "POST"])


@bp.app_template_global("group_title")
def group_title(conference, group):
    from alliance_conf.badges.pdf import group_title as title

    return title(conference, group)
