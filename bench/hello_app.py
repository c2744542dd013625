"""The ceiling of ``bench/http_load.py``: a bare Flask "hello" under the same gunicorn.

Two more routes measure what any database-backed page pays before our code runs, so the
benchmark can tell the framework's floor from the app's own cost: ``/query`` makes one round
trip to PostgreSQL (``SELECT 1`` through a pooled SQLAlchemy engine) and ``/rows`` reads 50 rows
of a real table through the same engine and returns them as JSON.
"""

import os

import sqlalchemy as sa
from flask import Flask, jsonify

app = Flask(__name__)
_engine = (
    sa.create_engine(os.environ["DATABASE_URL"], pool_size=2)
    if "DATABASE_URL" in os.environ
    else None
)


@app.get("/")
def hello():
    return "Hello, World!"


@app.get("/query")
def one_query():
    with _engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return "Hello, World!"


@app.get("/rows")
def fifty_rows():
    with _engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, name, kind, country_code FROM delegations ORDER BY name LIMIT 50")
        ).mappings()
        return jsonify([dict(row) for row in rows])
