from flask import Blueprint

from alliance_conf.mail import views

bp = Blueprint("mail", __name__, template_folder="templates")
bp.add_url_rule("/outbox", "outbox", views.outbox)
bp.add_url_rule("/outbox/<int:message_id>", "message", views.message)
bp.add_url_rule("/outbox/retry", "retry", views.retry, methods=["POST"])
