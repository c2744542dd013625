"""The ceiling of ``bench/http_load.py``: a bare Flask "hello" under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
