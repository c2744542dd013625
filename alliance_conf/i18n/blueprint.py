from flask import Blueprint

from alliance_conf.i18n import views

bp = Blueprint("i18n", __name__, template_folder="templates")
bp.add_url_rule("/language", "choose_language", views.choose_language, methods=["POST"])
