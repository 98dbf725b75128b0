"""Every panel list: filters narrow, sorting orders, the export is what is shown, one audit event
per listing, and another organization's rows never appear (issue 19)."""

import csv
import io
import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from consent.services import Evidence, consent_grant, consent_withdraw
from governance.models import Complaint, DeploymentPurpose, Filing
from recognition.models import Enrollment, RecognitionJob
from tests.factories import (
    AssessmentFactory,
    DataRequestFactory,
    DeploymentFactory,
    IncidentFactory,
    PublishedNoticeFactory,
    PurposeFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

OTHER = "OTHER-SECRET"


def _fill(org, mark: str) -> None:
    """Two rows of each list in ``org`` that differ in the filtered and the sorted field."""
    actor = Actor(Actor.SYSTEM, "", "test")
    active = DeploymentFactory(organization=org, name=f"{mark} A site", status="active")
    DeploymentFactory(organization=org, name=f"{mark} B site", status="draft")
    purpose = PurposeFactory(organization=org, name=f"{mark} A purpose", kind="access_control")
    PurposeFactory(organization=org, name=f"{mark} B purpose", kind="attendance")
    DeploymentPurpose.objects.create(deployment=active, purpose=purpose)
    version = purpose.current_version
    notice = PublishedNoticeFactory(purpose_version=version, controller_name=mark)
    PublishedNoticeFactory(purpose_version=version, language="zh-hans", controller_name=mark)
    AssessmentFactory(deployment=active, title=f"{mark} A PIA")
    AssessmentFactory(deployment=active, title=f"{mark} B PIA", status="stale")
    IncidentFactory(organization=org, title=f"{mark} A incident", severity="minor")
    IncidentFactory(organization=org, title=f"{mark} B incident", severity="major")
    today = timezone.localdate()
    for i, state in enumerate(("open", "closed")):
        Complaint.objects.create(
            organization=org,
            deployment=active,
            message=mark,
            contact_name=f"{mark} complainant",
            deadline=today + timedelta(days=i),
            state=state,
        )
    subjects = [
        SubjectFactory(
            organization=org,
            display_name=f"{mark} {letter} person",
            external_ref=f"{mark}-{letter}",
            age_bracket=bracket,
        )
        for letter, bracket in (("A", "18_plus"), ("B", "14_17"))
    ]
    consents = [
        consent_grant(
            subject=s,
            purpose_version=version,
            notice=notice,
            actor=actor,
            evidence=Evidence(channel="api", consent_ui_version="t-1"),
            deployment=active,
        )[0]
        for s in subjects
    ]
    consent_withdraw(consent=consents[1], actor=actor, channel="api")
    DataRequestFactory(subject=subjects[0], kind="access")
    DataRequestFactory(subject=subjects[1], kind="erasure", status="completed")
    work = {
        "organization": org,
        "deployment": active,
        "purpose": purpose,
        "purpose_version": version,
        "actor_type": "system",
    }
    for s, state in zip(subjects, ("stored", "purged_on_withdrawal"), strict=True):
        Enrollment.objects.create(
            **work, subject=s, subject_pseudonym=s.pseudonym, template_state=state
        )
    for i, status in enumerate(("open", "submitted")):
        Filing.objects.create(
            organization=org,
            kind="initial" if i == 0 else "change",
            status=status,
            reason=f"{mark} filing {i}",
            trigger_date=today,
            deadline=today + timedelta(days=10 + i),
        )
    RecognitionJob.objects.create(**work, mode="identify", match_threshold=0.6)
    RecognitionJob.objects.create(
        **work, mode="verify", match_threshold=0.6, status="succeeded", faces_found=2, matches=1
    )


@pytest.fixture
def lists(world):
    _fill(world.org, "ACME")
    _fill(world.outsider_org, OTHER)
    return world


# (list, URL, a filter that keeps one of the two rows, a sortable column)
CASES = [
    ("subjects", "/o/acme/subjects/", "age_bracket=14_17", "reference"),
    ("consents", "/o/acme/consents/", "state=withdrawn", "given"),
    ("deployments", "/o/acme/deployments/", "status=draft", "name"),
    ("purposes", "/o/acme/purposes/", "kind=attendance", "name"),
    ("notices", "/o/acme/notices/", "language=zh-hans", "language"),
    ("assessments", "/o/acme/assessments/", "status=stale", "title"),
    ("incidents", "/o/acme/incidents/", "severity=major", "title"),
    ("complaints", "/o/acme/complaints/", "state=closed", "deadline"),
    ("enrollments", "/o/acme/recognition/enrollments/", "template_state=stored", "template"),
    ("jobs", "/o/acme/recognition/jobs/", "status=succeeded", "mode"),
    ("requests", "/o/acme/dsr/", "status=completed", "number"),
    ("filings", "/o/acme/filings/", "status=submitted", "deadline"),
]
IDS = [c[0] for c in CASES]


def _export(client, url, query="", fmt="json"):
    response = client.get(f"{url}?{query}&export={fmt}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "json":
        return response.json()["rows"]
    return list(csv.reader(io.StringIO(response.content.decode())))


class _Table(HTMLParser):
    """The cells of the shared list table, as the reader sees them (actions left out)."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_list, self._in_body, self._cell = [], False, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "list" in attrs.get("class", ""):
            self._in_list = True
        elif self._in_list and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td" and "actions" not in attrs.get("class", ""):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("" if self._cell.strip() == "—" else self._cell.strip())
            self._cell = None
        elif tag == "table":
            self._in_list = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _shown(html: str) -> list[list[str]]:
    table = _Table()
    table.feed(html)
    return table.rows


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_a_filter_narrows_the_list(lists, panel_as, name, url, query, sort):
    client = panel_as(lists.owner)
    everything = _export(client, url, "status=" if name == "requests" else "")
    narrowed = _export(client, url, query)
    assert len(everything) == 2 and len(narrowed) == 1


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_sorting_orders_both_ways(lists, panel_as, name, url, query, sort):
    client = panel_as(lists.owner)
    base = "status=&" if name == "requests" else ""
    up = [row[sort] for row in _export(client, url, f"{base}sort={sort}")]
    down = [row[sort] for row in _export(client, url, f"{base}sort=-{sort}")]
    assert up == sorted(up) and down == list(reversed(up)) and up != down


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_the_export_is_exactly_what_is_shown(lists, panel_as, name, url, query, sort):
    client = panel_as(lists.owner)
    for q in ("", query, f"sort=-{sort}"):
        shown = _shown(client.get(f"{url}?{q}").content.decode())
        exported = _export(client, url, q, fmt="csv")
        assert shown, (name, q)
        assert exported[1:] == shown, (name, q)


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_another_organizations_rows_never_appear(lists, panel_as, name, url, query, sort):
    client = panel_as(lists.owner)
    html = client.get(f"{url}?status=" if name == "requests" else url).content.decode()
    assert OTHER not in html
    for fmt in ("csv", "json"):
        body = client.get(f"{url}?export={fmt}").content.decode()
        assert OTHER not in body
    # A filter naming the other organization's deployment is refused, not obeyed.
    other_site = lists.outsider_org.deployments.first()
    narrowed = _export(client, url, f"deployment={other_site.pk}")
    assert OTHER not in str(narrowed)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("subjects", "/o/acme/subjects/"),
        ("consents", "/o/acme/consents/"),
        ("enrollments", "/o/acme/recognition/enrollments/"),
        ("requests", "/o/acme/dsr/?status="),
    ],
)
def test_a_listing_of_subjects_writes_one_audit_event_naming_them(lists, panel_as, name, url):
    client = panel_as(lists.owner)
    before = AuditEvent.objects.filter(organization=lists.org).count()
    client.get(url)
    events = AuditEvent.objects.filter(organization=lists.org).order_by("pk")[before:]
    assert [e.action for e in events] == ["subject.listed"]
    details = events[0].details
    assert details["list"] == name and details["rows"] == 2 and len(details["subjects"]) == 2
    assert details["personal_data"] is True


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_an_export_writes_one_audit_event_with_its_filters(lists, panel_as, name, url, query, sort):
    client = panel_as(lists.owner)
    before = AuditEvent.objects.filter(organization=lists.org).count()
    _export(client, url, query, fmt="csv")
    events = list(AuditEvent.objects.filter(organization=lists.org).order_by("pk")[before:])
    assert [e.action for e in events] == [f"{name}.exported"]
    assert events[0].details["format"] == "csv" and events[0].details["rows"] == 1
    key, value = query.split("=")
    assert events[0].details["filters"][key] == value


def test_operators_and_auditors_get_pseudonyms_in_the_export_too(lists, panel_as):
    for role in ("operator", "auditor"):
        client = panel_as(lists.user(role))
        for url in ("/o/acme/subjects/", "/o/acme/consents/"):
            rows = _export(client, url)
            assert rows and all("name" not in r and "subject" not in r for r in rows)
            assert "ACME A person" not in client.get(f"{url}?export=csv").content.decode()
            assert all(r["pseudonym"] for r in rows)
        # Names are not searchable either for them: searching one finds nothing.
        assert _export(client, "/o/acme/subjects/", "q=ACME A person") == []
    events = AuditEvent.objects.filter(action="subjects.exported", actor_label__startswith="aud")
    assert events.first().details["personal_data"] is False


def test_the_deployment_list_shows_each_deployments_unmet_rules(lists, panel_as):
    rows = _export(panel_as(lists.owner), "/o/acme/deployments/")
    draft = next(r for r in rows if r["name"] == "ACME B site")
    assert draft["unmet"] > 0


def test_the_enrollment_list_shows_what_became_of_the_template(lists, panel_as):
    rows = _export(panel_as(lists.owner), "/o/acme/recognition/enrollments/")
    assert sorted(r["template"] for r in rows) == ["Purged on withdrawal", "Stored"]


def test_search_pages_and_a_bad_filter_stay_4xx_free(lists, panel_as):
    client = panel_as(lists.owner)
    assert len(_export(client, "/o/acme/deployments/", "q=B site")) == 1
    for query in ("page=999", "page=x", "sort=nonsense", "status=nonsense", "deployment=abc"):
        assert client.get(f"/o/acme/deployments/?{query}").status_code == 200


def test_a_cell_that_a_spreadsheet_would_run_is_exported_as_text(lists, panel_as):
    SubjectFactory(organization=lists.org, external_ref="=HYPERLINK(1)", age_bracket="unknown")
    rows = _export(panel_as(lists.owner), "/o/acme/subjects/", "age_bracket=unknown", fmt="csv")
    assert rows[1][3] == "'=HYPERLINK(1)"


def test_a_persons_access_export_counts_listings_that_showed_them_and_no_one_else(lists, panel_as):
    from consent.models import Subject
    from dsr.selectors import subject_audit_export

    panel_as(lists.owner).get("/o/acme/subjects/")
    person = Subject.objects.get(external_ref="ACME-A")
    listed = [row for row in subject_audit_export(subject=person) if row[1] == "subject.listed"]
    assert len(listed) == 1 and listed[0][-1]["subjects"] == [str(person.pseudonym)]


def test_the_api_subject_list_writes_one_audit_event_per_page(lists, api_as):
    before = AuditEvent.objects.filter(organization=lists.org).count()
    response = api_as(lists.owner, "acme").get("/api/v1/subjects/")
    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(organization=lists.org).order_by("pk")[before:])
    assert [e.action for e in events] == ["subject.listed"]
    assert len(events[0].details["subjects"]) == 2


def test_an_export_past_its_limit_says_it_was_cut(lists, panel_as, monkeypatch):
    monkeypatch.setattr("portal.panel.listing.EXPORT_LIMIT", 1)
    response = panel_as(lists.owner).get("/o/acme/deployments/?export=json")
    assert response.json()["count"] == 1 and response.json()["truncated"] is True
    assert response["X-Export-Truncated"] == "1"
    event = AuditEvent.objects.filter(action="deployments.exported").last()
    assert event.details["filters"]["truncated_at"] == "1"


@pytest.mark.parametrize(("name", "url", "query", "sort"), CASES, ids=IDS)
def test_no_id_is_used_twice_on_a_list_page(lists, panel_as, name, url, query, sort):
    html = panel_as(lists.owner).get(url).content.decode()
    twice = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert twice == []
