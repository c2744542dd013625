from __future__ import annotations

from flask import current_app, jsonify

from alliance_conf.api.framework import ApiBlueprint
from alliance_conf.api.openapi import build_openapi

api = ApiBlueprint("meta_api", __name__)


@api.endpoint("/openapi.json", "GET", public=True, summary="This OpenAPI document")
def openapi_document():
    document = current_app.extensions.get("alliance_openapi")
    if document is None:
        document = current_app.extensions["alliance_openapi"] = build_openapi(current_app)
    return jsonify(document)
