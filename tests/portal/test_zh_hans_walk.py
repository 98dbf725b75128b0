"""Every panel and self-service page, read in zh-Hans, holds no English the portal wrote.

The demo organization (seed_demo) is the populated organization: deployments in every state,
purposes, notices in both languages, consents, a request, an incident. Each role signs in and
follows every link of its panel from the dashboard; a data subject signs in on /me/ and does
the same there; the public pages are read too. What the organization typed and identifiers
are set aside (zh_hans_text); any English word left is a string to wrap or to translate.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from audit.actors import Actor
from consent import sessions
from consent.models import Subject
from consent.services import Evidence, consent_grant
from dsr.services.portability import portability_export, portability_import
from portal.demo import demo_seed
from tests.conftest import sign_in
from tests.factories import (
    OrganizationFactory,
    PublishedNoticeFactory,
    PurposeFactory,
    SubjectFactory,
)
from tests.portal.zh_hans_text import english_left, organization_typed, visible_text

pytestmark = pytest.mark.django_db

ZH = "zh-hans"
# Files and actions rather than pages (downloads, exports, sign-out).
_NOT_PAGES = re.compile(r"\.(csv|json|zip|pdf|svg|key|png|jpg)$|/sign-out/|/logout/|/package/")
MAX_PER_ROUTE = 3
OWNER_PAGES = {
    f"panel:{name}"
    for name in [
        "dashboard",
        "settings",
        "members",
        "api_keys",
        "compreface_keys",
        "entrustment",
        "audit",
        "gov_deployments",
        "gov_deployment_create",
        "gov_deployment_detail",
        "gov_deployment_edit",
        "gov_recipient_list",
        "gov_purposes",
        "gov_purpose_create",
        "gov_purpose_detail",
        "gov_purpose_edit",
        "gov_notices",
        "gov_notice_create",
        "gov_notice_detail",
        "gov_assessments",
        "gov_assessment_create",
        "gov_assessment_detail",
        "gov_incidents",
        "gov_incident_detail",
        "gov_filings",
        "gov_complaints",
        "gov_compliance",
        "subjects",
        "subject_detail",
        "consent_record",
        "consents",
        "minor_rules",
        "rec_enroll",
        "rec_enrollments",
        "rec_jobs",
        "rec_accuracy",
        "dsr_queue",
        "dsr_new",
        "dsr_settings",
        "dsr_detail",
        "dsr_imports",
        "dsr_import_new",
        "dsr_import_detail",
    ]
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _import_from_another_portal(organization) -> None:
    """Import into ``organization`` a person another organization exported (R46), so the
    import pages have a row to show; the demo itself has none."""
    actor = Actor.system("test")
    sender = OrganizationFactory(name="Harbour Clinic", slug="harbour-clinic")
    purpose = PurposeFactory(organization=sender, name="Clinic entrance")
    consent_grant(
        subject=(person := SubjectFactory(organization=sender)),
        purpose_version=purpose.current_version,
        notice=PublishedNoticeFactory(purpose_version=purpose.current_version, language="en"),
        actor=actor,
        evidence=Evidence(channel="kiosk", consent_ui_version="test-1"),
    )
    document = portability_export(subject=person, actor=actor)
    portability_import(organization=organization, document=document, actor=actor)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seeded = demo_seed(log=lambda line: None)
    _import_from_another_portal(seeded.organization)
    return seeded


def _zh_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=ZH)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH
    return client


def _walk(
    client: Client, start: list[str], inside: tuple[str, ...], read: set[str] | None = None
) -> dict[str, list[str]]:
    """Follow links from ``start`` within the ``inside`` prefixes; return English per URL.

    ``read`` receives the name of each route whose page was read."""
    typed = organization_typed()
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    queue = list(start)
    found: dict[str, list[str]] = {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        try:
            route = resolve(path).view_name
        except Resolver404:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        if per_route[route] > MAX_PER_ROUTE:
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert 'lang="zh-hans"' in html.lower(), url
        if read is not None:
            read.add(route)
        left = english_left(visible_text(html), typed)
        if left:
            found[url] = left
        for href in _links(html):
            href = urldefrag(href).url
            if href.startswith(inside) and not _NOT_PAGES.search(urlsplit(href).path):
                queue.append(href)
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in found.items())


@pytest.mark.parametrize("role", ["owner", "dpo", "operator", "auditor"])
def test_panel_in_zh_hans_has_no_english(demo, role):
    user = demo.organization.memberships.get(role=role).user
    client = sign_in(_zh_client(), user)
    org = f"/o/{demo.organization.slug}/"
    read: set[str] = set()
    found = _walk(client, [org], (org,), read)
    assert not found, _report(found)
    if role == "owner":
        # The walk reaches every page of the panel that shows something (forms included), not
        # only the dashboard: the owner may open them all.
        assert read >= OWNER_PAGES, sorted(OWNER_PAGES - read)


def test_public_and_self_service_pages_in_zh_hans_have_no_english(demo):
    client = _zh_client()
    hq = demo.governance.headquarters
    slug = demo.organization.slug
    public = [
        reverse("consent:deployment", kwargs={"org_slug": slug, "deployment_id": hq.pk}),
        reverse(
            "consent:notice",
            kwargs={"org_slug": slug, "purpose_id": demo.governance.staff_access.pk},
        )
        + f"?d={hq.pk}",
        reverse("governance:complaint", kwargs={"org_slug": slug, "deployment_id": hq.pk}),
        reverse("governance:retention_policy", kwargs={"org_slug": slug}),
        reverse("consent:receipt_verify"),
        reverse("consent:me"),
    ]
    found = _walk(client, public, ("/notice/", "/complaint/", "/policy/", "/receipts/"))
    subject = Subject.objects.filter(organization=demo.organization).first()
    request = type("R", (), {"session": client.session})()
    sessions.start(request, subject)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    found |= _walk(client, ["/me/consents/", "/me/requests/", "/me/portability/"], ("/me/",))
    assert not found, _report(found)
