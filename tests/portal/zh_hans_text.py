"""What a zh-Hans reader sees on a page, minus what is not ours to translate.

The walk test (test_zh_hans_walk.py) uses it to find English that the portal itself wrote:
visible text and the attributes people read (placeholders, titles, labels, alternative texts),
without scripts and styles, code samples, what the organization typed, and identifiers
(pseudonyms, e-mail addresses, hashes, numbers, rule ids).
"""

import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

_SKIP = {"script", "style", "code", "pre", "kbd", "samp", "svg", "template", "textarea"}
_READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
# Names that stay as they are in Chinese: brands, standards, formats and legal short names.
ALLOWED = {
    "API",
    "APIs",
    "CSV",
    "JSON",
    "PDF",
    "SVG",
    "ZIP",
    "TOTP",
    "QR",
    "PIN",
    "ID",
    "UUID",
    "URL",
    "REST",
    "SDK",
    "SDKs",
    "HTTP",
    "HTTPS",
    "OpenAPI",
    "CompreFace",
    "Redoc",
    "Base64",
    "GDPR",
    "BIPA",
    "PIPL",
    "ILCS",
    "CAC",
    "DPO",
    "PRC",
    "SAR",
    "EEA",
    "EU",
    "FPIR",
    "FAR",
    "Prometheus",
    "Celery",
    "Django",
    "Chromium",
    "Chrome",
    "Google",
    "Authenticator",
    "English",
    "Demo",
    "ASCII",
    "SHA",
    "HMAC",
    "Ed25519",
    "RFC",
    "ISO",
    "GB",
    "T",
    "Art",
    "v",
    "px",
    "ok",
    "OK",
    "Illinois",
    "Acme",
    "Shanghai",
    "Pudong",
    "Zhejiang",
    "Beijing",
    "Idempotency-Key",
    "Webhook",
    "DPIA",
    "HTML",
    "python",
    "x-api-key",
    "Ltd",
    "Inc",
    "FaceConsent",
    "FNIR",
    "FNMR",
    "FMR",
}

_IDENTIFIERS = [
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.-]*/[\w./?=&%-]+"),
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I),
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    re.compile(r"\b\w+(\.\w+)+\b"),  # module and file names (audit.offline)
    re.compile(r"\b[0-9a-f]{12,}\b", re.I),
    re.compile(r"\b[A-Z]{1,4}\d+[\w.()-]*"),  # rule ids R12, articles 14/15(b), codes
    re.compile(r"\b\w*\d\w*\b"),  # anything with a digit: numbers, codes, prefixes
    re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),  # field and code names (storage_mode)
    re.compile(r"\b[a-z]+(?:-[a-z0-9]+)+\b"),  # slugs and header names (zh-hans)
]
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skipping.append(tag)
            return
        if self._skipping:
            return
        values = dict(attrs)
        self.parts.extend(values[a] for a in _READ_ATTRIBUTES if values.get(a))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    """Return the page's visible text and read attributes, one piece per text node."""
    parser = _Visible()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts if p.strip()]


def organization_typed() -> list[str]:
    """Return every free text stored in the database, longest first.

    Names, addresses, notice texts, reasons: whatever people typed, in whatever language they
    typed it, is theirs to translate (per-language fields), not the portal's catalogue.
    """
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {
            "tenants",
            "governance",
            "consent",
            "recognition",
            "dsr",
            "audit",
            "auth",
        }:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                _collect(value, found)
    return sorted((v for v in found if len(v) >= 3), key=len, reverse=True)


def _collect(value, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(" ".join(value.split()))
        found.update(" ".join(line.split()) for line in value.splitlines() if line.strip())
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def english_left(pieces: list[str], typed: list[str]) -> list[str]:
    """Return the pieces that still hold an English word the portal wrote."""
    left = []
    for piece in pieces:
        # Links and identifiers first: a typed value inside a URL would otherwise cut it apart.
        text = _IDENTIFIERS[0].sub(" ", piece)
        for value in typed:
            if value in text:
                text = text.replace(value, " ")
        for pattern in _IDENTIFIERS:
            text = pattern.sub(" ", text)
        words = [w for w in _WORD.findall(text) if w.strip("'’") not in ALLOWED and len(w) > 1]
        if words:
            left.append(f"{piece!r} -> {' '.join(words)}")
    return left
