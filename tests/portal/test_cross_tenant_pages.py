"""R33: B's people reach no page of A's: every panel and self-service page with an id, pseudonym
or slug in its path, generated from the URL resolver (see test_cross_tenant_api.py for the rules
every answer must keep)."""

import re

import pytest
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from tests.conftest import sign_in
from tests.portal.cross_tenant import (
    NEVER_INT,
    NEVER_UUID,
    ROLES,
    VALUES,
    Worlds,
    _changed,
    _reveals,
)

pytestmark = pytest.mark.django_db


# --- Panel and self-service pages from the URL resolver ---------------------------------------

# The first segment after /o/<slug>/ names the kind of <pk>; sub-parameters by name.
PANEL_RESOURCES = {
    "deployments": "deployment",
    "purposes": "purpose",
    "notices": "notice",
    "assessments": "assessment",
    "incidents": "incident",
    "filings": "filing",
    "complaints": "complaint",
    "recipients": "recipient",
    "transfer-bases": "transfer_basis",
    "subjects": "subject",
    "consents": "consent",
    "dsr": "data_request",
    "dsr/imports": "portability_import",
    "members": "membership",
    "invitations": "invitation",
    "api-keys": "api_key",
    "recognition/jobs": "job",
    "recognition/review": "result",
    "me/requests": "data_request",
    "me/consents": "consent",
    "me/receipts": "receipt",
}
PANEL_SUB_PARAMS = {
    "device_pk": "device",
    "purpose_pk": "purpose",
    "user_pk": "user",
    "attachment_pk": "attachment",
    "document_pk": "filing_document",
    "pseudonym": "subject",
    "public_id": None,  # by resource
    "receipt_id": "receipt",
    "deployment_id": "deployment",
    "purpose_id": "purpose",
}
# Parameters that name an action or carry an opaque signed token, not an object: a real action,
# so that the object is looked up; a token that is simply wrong.
ACTIONS = {
    "what": {"incidents": "close", "filings": "cancel"},
    "step": "start",
    "token": "x",
    "uidb64": "x",
}


def _route(pattern) -> str:
    """Return a pattern as a route: a regex's named groups become <int:name> or <str:name>."""
    text = str(pattern)
    if not isinstance(pattern, RegexPattern):
        return text
    text = re.sub(r"\(\?P<(\w+)>\\d\+\)", r"<int:\1>", text.lstrip("^").rstrip("$"))
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", text)


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + _route(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def page_routes() -> list[str]:
    routes = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # generated from the schema above
        if route.startswith("admin/"):
            # Platform staff's admin spans every organization by design; no member of one
            # reaches it at all (tests/portal/test_admin.py).
            continue
        if route.startswith("compreface/"):
            # CompreFace's API takes a key bound to one deployment, not a page's session; its
            # isolation is tested with the SDK (tests/recognition/test_compreface_api.py).
            continue
        params = [p for p in route.split("<")[1:]]
        names = [p.split(">")[0].split(":")[-1] for p in params]
        if [n for n in names if n != "org_slug"] or (route.startswith("o/") and names):
            routes.append(route)
    return routes


def _panel_resource(route: str) -> str:
    rest = route.removeprefix("o/<slug:org_slug>/")
    for prefix in sorted(PANEL_RESOURCES, key=len, reverse=True):
        if rest.startswith(prefix + "/"):
            return prefix
    return ""


def _page_param_kind(route: str, name: str):
    if name == "org_slug":
        return "org_slug"
    if name in ACTIONS:
        return "action"
    kind = PANEL_SUB_PARAMS.get(name)
    if kind is None:
        kind = PANEL_RESOURCES.get(_panel_resource(route))
    if kind is None:
        pytest.fail(f"{route}: no fill for <{name}>: add it to PANEL_RESOURCES/PANEL_SUB_PARAMS")
    return kind


def _page_url(route: str, fill) -> str:
    def one(match):
        converter, name = (match.group(1) or "str"), match.group(2)
        return str(fill(name, converter))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


PAGE_ROUTES = page_routes()


def _self_service_client(worlds: Worlds):
    from django.test import Client

    from consent import sessions

    client = Client()
    session = client.session
    subject = worlds.b.objects["subject"]
    session[sessions.SESSION_KEY] = signing.dumps(
        {"o": subject.organization_id, "s": str(subject.pseudonym)}, salt=sessions._SALT
    )
    session.save()
    return client


def _page_variants(route: str):
    names = [m.split(">")[0].split(":")[-1] for m in route.split("<")[1:]]
    objects = [n for n in names if _page_param_kind(route, n) not in ("action", "org_slug")]
    variants = [f"param:{n}" for n in objects]
    if "org_slug" in names:
        variants.append("param:org_slug")
    return variants


# Staff pages as each of B's roles; self-service and public pages as B's signed-in subject.
PAGE_CASES = [
    (route, variant, principal)
    for route in PAGE_ROUTES
    for variant in _page_variants(route)
    for principal in (ROLES if route.startswith("o/") else ("self_service",))
]


@pytest.mark.parametrize(
    ("route", "variant", "principal"), PAGE_CASES, ids=[" ".join(c) for c in PAGE_CASES]
)
def test_r33_page_never_reaches_another_organizations_objects(worlds, route, variant, principal):
    from django.test import Client

    if principal == "self_service":
        client = _self_service_client(worlds)
    else:
        client = sign_in(Client(), worlds.b.users[principal])
    target = variant.partition(":")[2]
    answers = []
    for never in (False, True):

        def fill(name, converter, never=never):
            kind = _page_param_kind(route, name)
            if kind == "action":
                table = ACTIONS[name]
                return table.get(_panel_resource(route), "x") if isinstance(table, dict) else table
            if name == target:
                if never:
                    return NEVER_UUID if converter == "uuid" else NEVER_INT
                return VALUES[kind](worlds.a)
            return VALUES[kind](worlds.b)

        url = _page_url(route, fill)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            case = f"{method.upper()} {url} as {principal}"
            assert response.status_code < 500, case
            if response.status_code < 300:
                leaked = _reveals(worlds, response, url)
                assert not leaked, f"{case}: shows A's {leaked}"
            answers.append(response.status_code)
    changed = _changed(worlds)
    assert not changed, f"{route} [{variant}] as {principal}: changed A's {changed}"
    mine, nobodys = answers[:2], answers[2:]
    assert mine == nobodys, f"{route} [{variant}] as {principal}: {mine} vs {nobodys}"
    assert all(code in (403, 404, 405) for code in mine), f"{route} [{variant}]: {mine}"
