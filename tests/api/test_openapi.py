"""The OpenAPI schema documents every route: a response model, its errors and an example."""

from __future__ import annotations

PUBLIC = {"/health", "/api/auth/signup", "/api/auth/login", "/api/auth/refresh"}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _has_example(spec: dict, content: dict) -> bool:
    if "example" in content or "examples" in content:
        return True
    schema = _resolve(spec, content.get("schema", {}))
    if "examples" in schema or "example" in schema:
        return True
    # a list page: look at its items' model
    items = schema.get("properties", {}).get("items", {}).get("items")
    return bool(items) and "examples" in _resolve(spec, items)


def test_every_route_documents_its_answers(app):
    spec = app.openapi()
    problems = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            if not success:
                problems.append(f"{where}: no 2xx response")
                continue
            if path not in PUBLIC and "401" not in responses:
                problems.append(f"{where}: 401 not documented")
            content = responses[success[0]].get("content", {})
            json_content = content.get("application/json")
            if success[0] != "204" and json_content is None and not content:
                problems.append(f"{where}: no response model")
            if json_content is not None and path != "/health":
                if not json_content.get("schema"):
                    problems.append(f"{where}: no response schema")
                elif not _has_example(spec, json_content):
                    problems.append(f"{where}: no example")
    assert problems == []


def test_money_is_a_string_in_the_schema(app):
    spec = app.openapi()
    account = spec["components"]["schemas"]["AccountPublic"]["properties"]["balance"]
    assert account["type"] == "string"
    txn = spec["components"]["schemas"]["TransactionPublic"]["properties"]["amount"]
    assert txn["type"] == "string"
