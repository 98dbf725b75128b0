"""What the site shows to anyone (issue 15): the schema and docs behind a key or a sign-in, a
content security policy with no inline script anywhere, and powerful browser features off."""

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
DOCS = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")


def _inline_code(html: str) -> list[str]:
    return INLINE_SCRIPT.findall(html) + HANDLER.findall(html) + STYLE_ATTRIBUTE.findall(html)


# --- Schema and docs ------------------------------------------------------------------------


@pytest.mark.parametrize("url", DOCS)
def test_schema_and_docs_refuse_an_anonymous_caller_when_required(world, url, settings):
    settings.API_DOCS_REQUIRE_AUTH = True
    assert Client().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", DOCS)
def test_schema_and_docs_open_to_an_api_key_and_a_signed_in_person(
    world, url, settings, api_key_client, panel_as
):
    settings.API_DOCS_REQUIRE_AUTH = True
    assert api_key_client(world.org, "auditor").get(url).status_code == 200
    assert panel_as(world.auditor).get(url).status_code == 200


@pytest.mark.parametrize("url", DOCS)
def test_schema_and_docs_are_open_when_the_setting_is_off(world, url, settings):
    settings.API_DOCS_REQUIRE_AUTH = False
    assert Client().get(url).status_code == 200


def test_docs_are_required_by_default_outside_the_demo(settings):
    assert settings.PORTAL_MODE == "test"
    assert settings.API_DOCS_REQUIRE_AUTH is True


def test_swagger_ui_starts_from_a_script_file_not_inline(world, panel_as):
    client = panel_as(world.auditor)
    html = client.get("/api/v1/docs/").content.decode()
    assert not INLINE_SCRIPT.findall(html)
    start = re.search(r'<script src="([^"]*\?script=?)"', html)
    assert start, html
    script = client.get(start.group(1))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


# --- Headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/me/", "/o/acme/"])
def test_pages_carry_a_strict_content_security_policy_and_permissions_policy(world, panel_as, url):
    response = panel_as(world.operator).get(url)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in features


def test_no_template_carries_inline_script_handlers_or_style():
    offenders = {}
    for template in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in template.parts or "var" in template.parts:
            continue
        found = _inline_code(template.read_text())
        if found or "<style" in template.read_text():
            offenders[str(template.relative_to(ROOT))] = found or ["<style>"]
    assert offenders == {}


def test_rendered_panel_and_self_service_pages_have_no_inline_script(world, panel_as):
    """Crawl the panel from the dashboard (two links deep) as the owner, plus the public pages."""
    client = panel_as(world.owner)
    seen, queue, pages = set(), ["/o/acme/", "/accounts/second-factor/"], 0
    for depth in range(2):
        next_queue = []
        for url in queue:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            pages += 1
            assert _inline_code(html) == [], url
            if depth == 0:
                next_queue += [
                    link
                    for link in re.findall(r'href="(/o/acme/[^"?#]*)"', html)
                    if "/download" not in link and not link.endswith(".csv")
                ]
        queue = next_queue
    for url in ("/accounts/login/", "/accounts/password/reset/", "/me/"):
        html = Client().get(url).content.decode()
        assert _inline_code(html) == [], url
    assert pages > 10
