from flask import Blueprint

from alliance_conf.conferences import views

bp = Blueprint("conferences", __name__, template_folder="templates")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/conferences/new", "create", views.create, methods=["GET", "POST"])
bp.add_url_rule("/conferences/<slug>", "show", views.show)
