import re

from openapi_spec_validator import validate

RULE_ARG = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_openapi_lists_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = RULE_ARG.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method))
    assert routes, "no API routes found"
    assert routes == documented


def test_protected_operations_declare_bearer_security(client):
    document = client.get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/api/v1/conferences"]["post"]
    assert create["security"] == [{"bearerAuth": []}]
    assert "401" in create["responses"] and "403" in create["responses"]
    assert document["paths"]["/api/v1/conferences"]["get"]["security"] == []
