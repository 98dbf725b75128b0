"""The filing pack's HTML report keeps its look without inline style (strict CSP, issue 15)."""

import io
import json
import zipfile

import pytest

from governance.filing_pack import REPORT_STYLESHEET, filing_pack_build
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def test_filing_report_links_its_stylesheet_shipped_in_the_pack(world, actor):
    make_ready(world.org)
    archive = zipfile.ZipFile(io.BytesIO(filing_pack_build(organization=world.org, actor=actor)))
    report = archive.read("filing_report.html").decode()
    assert "<style" not in report and "style=" not in report
    assert f'<link rel="stylesheet" href="{REPORT_STYLESHEET}">' in report
    stylesheet = archive.read(REPORT_STYLESHEET).decode()
    assert "border-collapse: collapse" in stylesheet
    # The manifest covers it like every other file of the pack.
    assert REPORT_STYLESHEET in json.loads(archive.read("manifest.json"))
