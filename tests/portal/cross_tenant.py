"""The two organizations, snapshots and fill tables of the generated R33 isolation tests.

The tests themselves are in test_cross_tenant_api.py (every API operation from the OpenAPI
schema) and test_cross_tenant_pages.py (every panel and self-service page from the URL
resolver); what they check is described there.
"""

import io
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, transaction

from tests.conftest import sign_in
from tests.portal.cross_tenant_seed import ROLES, Tenant, _png, _tenant  # noqa: F401 - re-exported

AUTHS = ("api_key", "session")
MARK = "ALPHA-SECRET"
NEVER_INT = 2_000_000_000
NEVER_UUID = "00000000-0000-4000-8000-00000000dead"
TENANT_APPS = ("audit", "tenants", "governance", "consent", "recognition", "dsr")
# The only writes into A that B's requests may cause: notices to A about its own people
# (an account of A's was invited elsewhere: A's owners are told, by design).
NOTICES_TO_A = {"account.invited_elsewhere"}


@dataclass
class Worlds:
    a: Tenant
    b: Tenant
    secrets: list
    baseline: str


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Build A and B once for the whole module, in a transaction rolled back at the end.

    Each test runs inside it in its own savepoint (pytest-django's ``db``), so what one case
    changes is gone before the next, and A's snapshot is taken once.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            a = _tenant("alpha", MARK)
            b = _tenant("bravo", "BRAVO")
            o = a.objects
            secrets = [
                MARK,
                str(o["subject"].pseudonym),
                str(o["consent"].public_id),
                str(o["receipt"].receipt_id),
                str(o["enrollment"].public_id),
                str(o["job"].public_id),
                *(u.email for u in a.users.values()),
                o["subject"].email,
                *([o["invitation"].email] if "invitation" in o else []),
            ]
            yield Worlds(a=a, b=b, secrets=secrets, baseline=snapshot(a.org))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _scoped_querysets(org):
    from django.contrib.auth import get_user_model
    from guardian.models import UserObjectPermission

    from audit.models import AuditEvent, AuditPending
    from governance.models import Deployment

    for model in apps.get_models():
        if model._meta.app_label not in TENANT_APPS or not model._meta.managed:
            continue
        manager = model._default_manager
        if model is AuditEvent:
            yield manager.for_org(org).exclude(action__in=NOTICES_TO_A)
        elif model is AuditPending:
            yield manager.filter(organization_id_copy=org.pk).exclude(
                event__action__in=NOTICES_TO_A
            )
        elif hasattr(manager, "for_org"):
            yield manager.for_org(org)
        elif any(f.name == "organization" for f in model._meta.fields):
            yield manager.filter(organization=org)
    from tenants.models import Organization

    yield Organization.objects.filter(pk=org.pk)
    users = get_user_model().objects.filter(memberships__organization=org)
    yield users
    from tenants.models import Membership

    yield Membership.objects.filter(user__in=users)
    deployments = [str(pk) for pk in Deployment.objects.for_org(org).values_list("pk", flat=True)]
    yield UserObjectPermission.objects.filter(object_pk__in=deployments)


def snapshot(org) -> dict:
    """Return a hash per table of every row of ``org`` (users' password hashes included).

    One query: a sub-select per table.
    """
    parts, params, names = [], [], []
    for qs in _scoped_querysets(org):
        names.append(qs.model._meta.label)
        meta = qs.model._meta
        sql, p = qs.order_by().values("pk").query.sql_with_params()
        parts.append(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{meta.db_table}" t WHERE t."{meta.pk.column}" IN ({sql}))'
        )
        params += p
    connection.ensure_connection()
    # Prepared: the same statement runs after every request, so Postgres plans it once.
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params, prepare=True)
        return dict(zip(names, cursor.fetchone(), strict=True))


def _changed(worlds) -> list[str]:
    now = snapshot(worlds.a.org)
    return [name for name, digest in worlds.baseline.items() if now[name] != digest]


# --- How to fill a value (the only hand-written tables) --------------------------------------

# A path or body value: how to read it off a tenant.
VALUES = {
    "deployment": lambda t: t.objects["deployment"].pk,
    "device": lambda t: t.objects["device"].pk,
    "purpose": lambda t: t.objects["purpose"].pk,
    "purpose_version": lambda t: t.objects["version"].pk,
    "notice": lambda t: t.objects["draft_notice"].pk,
    "published_notice": lambda t: t.objects["notice"].pk,
    "assessment": lambda t: t.objects["assessment"].pk,
    "attachment": lambda t: t.objects["attachment"].pk,
    "incident": lambda t: t.objects["incident"].pk,
    "filing": lambda t: t.objects["filing"].pk,
    "filing_document": lambda t: t.objects["filing_document"].pk,
    "complaint": lambda t: t.objects["complaint"].pk,
    "recipient": lambda t: t.objects["recipient"].pk,
    "transfer_basis": lambda t: t.objects["transfer_basis"].pk,
    "subject": lambda t: str(t.objects["subject"].pseudonym),
    "consent": lambda t: str(t.objects["consent"].public_id),
    "receipt": lambda t: str(t.objects["receipt"].receipt_id),
    "data_request": lambda t: t.objects["data_request"].pk,
    "portability_transfer": lambda t: t.objects["portability_transfer"].pk,
    "portability_import": lambda t: t.objects["portability_import"].pk,
    "minor_rules": lambda t: t.objects["minor_rules"].pk,
    "enrollment": lambda t: str(t.objects["enrollment"].public_id),
    "job": lambda t: str(t.objects["job"].public_id),
    "result": lambda t: t.objects["result"].pk,
    "membership": lambda t: t.objects["membership"].pk,
    "invitation": lambda t: t.objects["invitation"].pk,
    "api_key": lambda t: t.objects["api_key"].pk,
    "compreface_key": lambda t: t.objects["compreface_key"].pk,
    "audit_event": lambda t: t.objects["audit_event"].pk,
    "user": lambda t: t.objects["user"].pk,
    "email": lambda t: t.users["auditor"].email,
    "org_slug": lambda t: t.org.slug,
}
NEVER = {"subject", "consent", "receipt", "enrollment", "job"}  # UUIDs; the rest are ints

# API: the first path segment names the kind of ``{id}``/``{pk}``/``{public_id}``/``{pseudonym}``.
RESOURCES = {
    "deployments": "deployment",
    "purposes": "purpose",
    "notices": "notice",
    "assessments": "assessment",
    "incidents": "incident",
    "filings": "filing",
    "filing-documents": "filing_document",
    "complaints": "complaint",
    "recipients": "recipient",
    "transfer-bases": "transfer_basis",
    "subjects": "subject",
    "portability-exports": "subject",
    "consents": "consent",
    "data-requests": "data_request",
    "portability-transfers": "portability_transfer",
    "minor-rules": "minor_rules",
    "enrollments": "enrollment",
    "recognition-jobs": "job",
    "review-queue": "result",
    "accuracy-reports": "purpose",
    "members": "membership",
    "invitations": "invitation",
    "api-keys": "api_key",
    "compreface-keys": "compreface_key",
    "audit-events": "audit_event",
}
SUB_PARAMS = {
    "device_id": "device",
    "purpose_id": "purpose",
    "user_id": "user",
    "attachment_id": "attachment",
}
# Body and query fields that refer to other rows. "weak": a free value that may legitimately
# match another tenant's (an e-mail address a new person is invited with); such a request may
# succeed but must neither show nor change A's data.
REFERENCES = {
    "deployment": "deployment",
    "device": "device",
    "purpose": "purpose",
    "purpose_version": "purpose_version",
    "purpose_versions": "purpose_version",
    "filing": "filing",
    "recipient": "recipient",
    "notice": "published_notice",
    "subject": "subject",
    "claimed_subject": "subject",
    "affected_subjects": "subject",
    "user_id": "user",
    "actor_id": "user",
    "target_id": "incident",
    "subject_pseudonym": "subject",
    # The review queue by job, the audit trail by a target's public id (issue 18).
    "job": "job",
    "target": "consent",
}
WEAK = {"email": "email", "pi_contact_email": "email", "contact_email": "email"}
LISTS = {"purpose_versions", "affected_subjects"}

# Required non-reference body fields, by name; per first path segment where a name differs.
FILL = {
    "title": "t",
    "severity": "minor",
    "data_types": "x",
    "cause": "x",
    "possible_harm": "x",
    "remedial_measures": "x",
    "individual_steps": "x",
    "contact": "c",
    "name": "n",
    "address": "a",
    "province": "Shanghai",
    "place_type": "workplace",
    "identifier": "gate-new",
    "language": "en",
    "channel": "api",
    "consent_ui_version": "v1",
    "face_processing": True,
    "central_storage": False,
    "raw_images": False,
    "reason": "r",
    "filing_number": "F-1",
    "check": "id card",
    "decision": "reject",
    "mode": "identify",
    "location": "door",
    "taken_on": "2025-06-01",
    "description": "d",
    "method": "m",
    "necessity_justification": "n",
    "retention_days": 30,
    "url": "https://hooks.example.test/x",
    "role": "auditor",
    "body": "b",
    "receipt": {},
    "choice": "alternative",
    "answer": "a",
    "permissions": ["run_job"],
    "template": "staff_access_control",
}
FILL_BY_RESOURCE = {
    "deployments": {"kind": "access_gate"},
    "consents": {"kind": "separate"},
    "data-requests": {"kind": "access"},
    "portability-transfers": {
        "receiver_name": "n",
        "receiver_contact": "c",
        "receiver_location": "CN",
        "delivery": "link",
    },
    "purposes": {"kind": "access_control"},
    "filing-documents": {"kind": "other"},
    "recipients": {"purpose": "p", "location": "CN"},
    "transfer-bases": {"mechanism": "standard_contract", "reference": "r"},
}
# Fields named like a reference that are not an id there: a recipient's purpose is text, a
# consent's recipients are names looked up in the organization's own register (another's name
# is refused: tests/consent/test_residency_consent.py).
TEXT_BY_RESOURCE = {"recipients": {"purpose"}, "consents": {"recipients"}}
FILES = {"image", "images", "photo", "file", "signed_document", "contract", "document"}


def _is_reference_like(name: str, schema: dict) -> bool:
    return (
        name.endswith(("_id", "_ids"))
        or schema.get("format") in ("uuid", "email")
        or name in RESOURCES.values()
        or name.rstrip("s") in RESOURCES.values()
    )


# --- Operations from the schema --------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the schema's template
    variant: str  # "path:<param>", "body:<field>" or "query:<param>"

    def __str__(self):
        return f"{self.method.upper()} {self.path} [{self.variant}]"


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = None


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def _body_schema(schema, op):
    content = op.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return media, _resolve(schema, content[media]["schema"])
    return None, {}


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _path_kind(path: str, param: str) -> str:
    if param in SUB_PARAMS:
        return SUB_PARAMS[param]
    kind = RESOURCES.get(_resource(path))
    if kind is None:
        pytest.fail(f"{path}: no fill for path parameter {{{param}}}: add it to RESOURCES")
    return kind


def api_cases() -> list[Case]:
    global SCHEMA
    SCHEMA = SCHEMA or _schema()
    cases = []
    for path, item in SCHEMA["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for param in _path_params(path):
                cases.append(Case(method, path, f"path:{param}"))
            _media, body = _body_schema(SCHEMA, op)
            text = TEXT_BY_RESOURCE.get(_resource(path), set())
            for name, prop in body.get("properties", {}).items():
                if prop.get("readOnly") or name in text:
                    continue
                if name in REFERENCES or name in WEAK:
                    cases.append(Case(method, path, f"body:{name}"))
                elif _is_reference_like(name, _resolve(SCHEMA, prop)):
                    cases.append(Case(method, path, f"unfillable-body:{name}"))
            for param in op.get("parameters", []):
                if param["in"] != "query":
                    continue
                name = param["name"]
                if name in REFERENCES or name in WEAK:
                    cases.append(Case(method, path, f"query:{name}"))
                elif _is_reference_like(name, param.get("schema", {})):
                    cases.append(Case(method, path, f"unfillable-query:{name}"))
    return cases


def _fill_body(case: Case, op, owner: Tenant, other: Tenant, target: str | None, value):
    """Return (format, body): B's values everywhere, ``value`` in ``target``."""
    media, body = _body_schema(SCHEMA, op)
    if media is None:
        return None, None
    required = set(body.get("required", []))
    # Every field the tables can fill, required or not: a partial update must be valid too, so
    # that what refuses the request is the reference, not a missing field.
    fill = {**FILL, **FILL_BY_RESOURCE.get(_resource(case.path), {})}
    text = TEXT_BY_RESOURCE.get(_resource(case.path), set())
    data = {}
    for name, prop in body.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if name == target:
            data[name] = value
        elif name in REFERENCES and name not in text:
            if name in required:
                ref = VALUES[REFERENCES[name]](owner)
                data[name] = [ref] if name in LISTS else ref
        elif name in WEAK:
            if name in required:
                data[name] = f"someone-new@{owner.org.slug}.test"
        elif name in FILES:
            if name in required:
                upload = io.BytesIO(_png())
                upload.name = "face.png"
                data[name] = [upload] if name == "images" else upload
        elif name in fill:
            data[name] = fill[name]
        elif name in required:
            pytest.fail(f"{case}: no fill for required body field {name!r}: add it to FILL")
    return ("json" if media == "application/json" else "multipart"), data


def _url(case: Case, owner: Tenant, target: str | None, value) -> str:
    url = case.path
    for param in _path_params(case.path):
        filled = value if param == target else VALUES[_path_kind(case.path, param)](owner)
        url = url.replace(f"{{{param}}}", str(filled))
    return url


# --- Principals ------------------------------------------------------------------------------


def _client(worlds: Worlds, role: str, auth: str):
    from rest_framework.test import APIClient

    client = APIClient()
    if auth == "api_key":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {worlds.b.keys[role]}")
    else:
        sign_in(client, worlds.b.users[role])
    return client


def _send(client, method, url, fmt, data, query=None):
    if query:
        url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    if fmt is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, format=fmt)


def _reveals(worlds: Worlds, response, sent: str) -> list[str]:
    body = response.content.decode(errors="replace")
    return [s for s in worlds.secrets if s in body and s not in sent]


def _check(worlds, case, response, sent, *, strict: bool):
    status = response.status_code
    assert status < 500, f"{case}: {status} {response.content[:300]!r}"
    leaked = _reveals(worlds, response, sent) if status < 300 else []
    assert not leaked, f"{case}: {status} shows A's {leaked}"
    if strict:
        assert not 200 <= status < 300, f"{case}: {status} accepted A's value"


def _variant_value(case: Case, worlds: Worlds, kind: str, field_name: str, *, never: bool):
    if never:
        value = NEVER_UUID if kind in NEVER else NEVER_INT
        if kind == "email":
            value = "nobody-at-all@nowhere.test"
    else:
        value = VALUES[kind](worlds.a)
    return [value] if field_name in LISTS else value
