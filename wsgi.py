"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

from alliance_conf import create_app

app = create_app()
