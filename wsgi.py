"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""

import gc

from alliance_conf import create_app

app = create_app()

# What start-up built (modules, the app, plugins, routes: ~150,000 objects) lives as long as the
# process. Freeze it out of the collector's sight so that a full collection walks only what
# requests create, instead of costing tens of milliseconds at random requests (the p95 tail).
gc.collect()
gc.freeze()
