"""R33: organization B, in every role, can neither reach nor change organization A's objects.

Generated, not listed by hand: every API operation comes from the OpenAPI schema and every panel
and self-service page from the URL resolver. Each operation that takes an id, pseudonym, slug or
e-mail (in its path, its body or its query string) is sent as B with A's value, and then with a
value that never existed. It must:

- never answer 5xx, nor 2xx for an A object in the path or an A reference in the body;
- answer an A object in the path 404 (or 403 when B's role may not use the route at all), and
  an A reference in the body 400 naming the field (or 403);
- answer exactly as for the value that never existed (no oracle for other tenants' ids);
- never show A's data in a body, and leave A's rows (and its people's passwords) unchanged.

A new route is covered as soon as it is in the schema or the URL configuration. The tables
below only say how to fill a value; an id-like parameter the tables cannot fill fails loudly.
"""

import json

import pytest

from tests.portal import cross_tenant
from tests.portal.cross_tenant import (
    AUTHS,
    REFERENCES,
    ROLES,
    WEAK,
    _changed,
    _check,
    _client,
    _fill_body,
    _path_kind,
    _send,
    _url,
    _variant_value,
    api_cases,
)

pytestmark = pytest.mark.django_db


CASES = api_cases()


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_r33_api_operation_never_reaches_another_organizations_objects(worlds, case, role, auth):
    kind_of, _sep, name = case.variant.partition(":")
    if kind_of.startswith("unfillable"):
        pytest.fail(f"{case}: {name!r} looks like a reference: add it to REFERENCES or WEAK")
    op = cross_tenant.SCHEMA["paths"][case.path][case.method]
    client = _client(worlds, role, auth)
    answers = []
    for never in (False, True):
        target = name if kind_of == "body" else None
        if kind_of == "path":
            kind = _path_kind(case.path, name)
        else:
            kind = REFERENCES.get(name) or WEAK[name]
        value = _variant_value(case, worlds, kind, name, never=never)
        url = _url(case, worlds.b, name if kind_of == "path" else None, value)
        fmt, data = _fill_body(case, op, worlds.b, worlds.a, target, value)
        query = {name: value} if kind_of == "query" else None
        sent = f"{url} {json.dumps(data, default=str)} {query}"
        response = _send(client, case.method, url, fmt, data, query)
        strict = kind_of in ("path", "body") and name not in WEAK
        _check(worlds, case, response, sent, strict=strict)
        answers.append(response)
    changed = _changed(worlds)
    assert not changed, f"{case}: changed A's {changed}"
    mine, nobodys = answers
    assert mine.status_code == nobodys.status_code, (
        f"{case}: A's value answers {mine.status_code}, a non-existent one "
        f"{nobodys.status_code}: an oracle for A's ids"
    )
    if kind_of == "path":
        assert mine.status_code in (403, 404), f"{case}: {mine.status_code} {mine.content[:300]!r}"
    elif kind_of == "body" and name not in WEAK:
        assert mine.status_code in (400, 403), f"{case}: {mine.status_code} {mine.content[:300]!r}"
        if mine.status_code == 400:
            body = mine.json()
            assert body["code"] == "unknown_reference", f"{case}: {body}"
            assert body["details"]["field"] == name, f"{case}: {body}"
            assert name in body["message"], f"{case}: {body}"


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("role", ROLES)
def test_r33_entrustment_singleton_is_only_ever_the_own_organizations(worlds, role, auth):
    """/api/v1/entrustment/ takes no id (it is the request's organization's record, R51): the
    generated cases cannot reach it, so B reads, downloads and writes it here and must never
    see or change A's contract."""
    client = _client(worlds, role, auth)
    for method, url, data in (
        ("get", "/api/v1/entrustment/", None),
        ("get", "/api/v1/entrustment/document/", None),
        ("put", "/api/v1/entrustment/", {"contract_reference": "B-contract"}),
    ):
        response = _send(client, method, url, "json" if data else None, data)
        _check(worlds, f"{method.upper()} {url}", response, url, strict=False)
        if url.endswith("document/"):  # B recorded no document; A's is never served
            assert response.status_code in (403, 404), f"{url}: {response.status_code}"
        elif method == "get" and response.status_code == 200:
            assert response.json()["contract_reference"] == "BRAVO-contract"
    changed = _changed(worlds)
    assert not changed, f"entrustment: changed A's {changed}"


def test_the_generated_api_cases_cover_the_known_id_routes():
    """The generation must keep finding the routes this file was written against."""
    variants = {str(c) for c in CASES}
    for expected in (
        "POST /api/v1/incidents/ [body:affected_subjects]",
        "PATCH /api/v1/incidents/{id}/ [body:affected_subjects]",
        "POST /api/v1/consents/ [body:notice]",
        "DELETE /api/v1/deployments/{id}/devices/{device_id}/ [path:device_id]",
        "GET /api/v1/subjects/{pseudonym}/ [path:pseudonym]",
        "GET /api/v1/incidents/ [query:deployment]",
    ):
        assert expected in variants
    assert len(CASES) > 80
