"""R10 (FRM Art. 5: barrier-free notices and consent), named in its tests (issue 17).

What the product does for it today: the public notice and consent form is plain, labelled HTML
in the person's language, announces outcomes to screen readers, and its stylesheet gives large
text and targets. An assisted or audio mode is not built (the compliance view says "partly").
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.labelled: set[str] = set()
        self.controls: list[str] = []
        self.live = False
        self.legends = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id") or f"<{tag} name={attrs.get('name')}>")
        elif tag == "legend":
            self.legends += 1
        if attrs.get("aria-live"):
            self.live = True


def _form(client, cw, language="en"):
    page = client.get(f"/notice/acme/p/{cw.purpose.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    parser = _Form()
    parser.feed(page.content.decode())
    return parser


def test_R10_every_control_of_the_consent_form_has_a_label_and_outcomes_are_announced(cw, client):
    form = _form(client, cw)
    assert form.controls, "the form has controls"
    unlabelled = [c for c in form.controls if c not in form.labelled]
    assert unlabelled == []
    assert form.legends >= 2  # each group of choices is named
    assert form.live  # outcomes are read out by screen readers
    assert form.lang == "en"


def test_R10_the_form_speaks_the_persons_language_to_assistive_technology(cw, client):
    assert _form(client, cw, "zh-hans").lang == "zh-hans"


def test_R10_public_stylesheet_gives_large_text_and_targets():
    css = (Path(settings.BASE_DIR) / "portal" / "static" / "portal" / "public.css").read_text()
    assert "min-height: 48px" in css and "font-size: 1.08rem" in css
