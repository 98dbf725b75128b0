"""In real Chromium: the audit log's second page fits a 1366 px window, long hashes and details
wrapped rather than widening the page (issue 19)."""

import hashlib

import pytest
from django.conf import settings
from django.test import Client

from audit.actors import Actor
from audit.services import audit_record
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_audit_page_two_fits_a_1366_px_window(world, live_server, browser):
    actor = Actor.subject("3f1c9a52-8d7e-4b6a-9c0d-1e2f3a4b5c6d")
    for n in range(60):
        digest = hashlib.sha256(str(n).encode()).hexdigest()
        audit_record(
            organization_id=world.org.pk,
            actor=actor,
            action="consent.withdrawn",
            target_type="consent",
            target_id=n,
            subject_pseudonym="3f1c9a52-8d7e-4b6a-9c0d-1e2f3a4b5c6d",
            details={"content_hash": digest * 3, "receipt_id": digest, "items": {"a": digest}},
        )
    session = sign_in(Client(), world.auditor).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/o/acme/audit/?page=2")
    assert page.locator("table.audit tbody tr").count() > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    assert "Data subject: data subject" not in page.content()
    context.close()
