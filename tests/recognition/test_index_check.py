"""Checking the index on an organization's real templates (services/index_check.py, command)."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from recognition.services.galleries import gallery_for
from recognition.services.index_check import gallery_index_check
from tenants.errors import ApplicationError
from tests.factories import PurposeFactory

pytestmark = pytest.mark.django_db

COUNT = 12


@pytest.fixture
def enrolled(rec, enroll):
    vectors = np.random.default_rng(3).normal(0.0, 0.1, (COUNT, 128)).astype(np.float32)
    return [enroll(vector, name=f"Person {i}") for i, vector in enumerate(vectors)]


def test_the_check_reports_recall_per_breadth_and_is_audited_without_templates(rec, enrolled):
    report = gallery_index_check(
        purpose=rec.purpose, actor=rec.actor, expansion_search=[64, 16, 64], sample=5
    )
    assert report["template_count"] == COUNT
    assert report["workers_search"] == "exact"  # below RECOGNITION_INDEX_THRESHOLD
    assert [row["expansion_search"] for row in report["results"]] == [16, 64]
    # Twelve templates, two breadths: three held out for each, six indexed.
    assert all(row["recall_at_1"] == 1.0 and row["sample"] == 3 for row in report["results"])
    event = AuditEvent.objects.get(organization=rec.org, action="gallery.index_checked")
    assert event.target_id == str(rec.purpose.pk)
    assert event.details["results"] == report["results"]
    # Counts, settings and figures only: no vector, image or key in the log.
    assert set(event.details) == {
        "purpose",
        "template_count",
        "workers_search",
        "index_threshold",
        "configured_expansion_search",
        "results",
    }


def test_only_templates_of_consenting_subjects_are_checked(rec, enrolled):
    _subject, consent, _template = enrolled[0]
    rec.withdraw(consent)
    report = gallery_index_check(purpose=rec.purpose, actor=rec.actor, expansion_search=[16])
    assert report["template_count"] == COUNT - 1


def test_out_of_range_requests_and_tiny_galleries_are_refused(rec, enroll):
    with pytest.raises(ApplicationError, match="between 1 and 4096"):
        gallery_index_check(purpose=rec.purpose, actor=rec.actor, expansion_search=[0])
    with pytest.raises(ApplicationError, match="sample"):
        gallery_index_check(purpose=rec.purpose, actor=rec.actor, sample=0)
    enroll(np.zeros(128))
    with pytest.raises(ApplicationError, match="1 template\\(s\\) are too few"):
        gallery_index_check(purpose=rec.purpose, actor=rec.actor)
    assert not AuditEvent.objects.filter(action="gallery.index_checked").exists()


def test_the_command_prints_a_table_or_json(rec, enrolled):
    out = StringIO()
    call_command(
        "check_gallery_index",
        "--org", rec.org.slug, "--purpose", str(rec.purpose.pk), "--ef", "16", "--sample", "4",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert f"{COUNT} templates; workers search them by exact" in text
    assert "100.00%" in text
    out = StringIO()
    call_command(
        "check_gallery_index",
        "--org", rec.org.slug, "--purpose", str(rec.purpose.pk), "--ef", "16", "--json",
        stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["template_count"] == COUNT


def test_the_command_names_what_it_cannot_find(rec, world):
    with pytest.raises(CommandError, match="no organization 'nowhere'"):
        call_command("check_gallery_index", "--org", "nowhere", "--purpose", "1")
    other = PurposeFactory(organization=world.outsider_org)
    with pytest.raises(CommandError, match="has no purpose"):
        call_command("check_gallery_index", "--org", rec.org.slug, "--purpose", str(other.pk))
    with pytest.raises(CommandError, match="0 template\\(s\\) are too few"):
        call_command("check_gallery_index", "--org", rec.org.slug, "--purpose", str(rec.purpose.pk))


def test_workers_search_with_the_configured_breadth(rec, enrolled, settings):
    settings.RECOGNITION_INDEX_THRESHOLD = 2
    settings.RECOGNITION_INDEX_EXPANSION_SEARCH = 77
    gallery = gallery_for(purpose=rec.purpose)[1]
    assert gallery.indexed
    assert gallery.config.expansion_search == 77
