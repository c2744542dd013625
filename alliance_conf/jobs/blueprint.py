from flask import Blueprint

from alliance_conf.jobs import views

bp = Blueprint("jobs", __name__, template_folder="templates")
bp.add_url_rule("/jobs", "index", views.index)
bp.add_url_rule("/jobs/<int:job_id>", "show", views.show)
bp.add_url_rule("/jobs/<int:job_id>/download", "download", views.download)
