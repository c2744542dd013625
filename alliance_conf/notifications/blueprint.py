from flask import Blueprint

from alliance_conf.notifications import views

bp = Blueprint("notifications", __name__, template_folder="templates")
bp.add_url_rule("/notifications", "index", views.index)
bp.add_url_rule("/notifications/read", "mark_all_read", views.mark_all_read, methods=["POST"])
bp.add_url_rule(
    "/notifications/<int:notification_id>", "open_notification", views.open_notification
)
