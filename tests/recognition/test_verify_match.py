"""A verify result says whether it matched, at the purpose's 1:1 operating point (issue 18)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognition.services.enrollment import enrollment_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(rec, faces, cached_engine, eager, run_on_commit):
    """Obama and Biden enrolled as two consenting subjects."""
    people = {}
    for name in ("obama", "biden"):
        subject = rec.subject(name)
        rec.consent(subject)
        run_on_commit(
            lambda s=subject, n=name: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=s,
                image=faces.read(f"{n}.jpg"),
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        people[name] = subject
    return people


def _run(rec, client, faces, run_on_commit, mode, subject=None):
    data = {
        "deployment": rec.deployment.pk,
        "purpose": rec.purpose.pk,
        "mode": mode,
        "images": [SimpleUploadedFile("p.jpg", faces.read("obama2.jpg"), "image/jpeg")],
    }
    if subject is not None:
        data["claimed_subject"] = str(subject.pseudonym)
    response = run_on_commit(
        lambda: client.post("/api/v1/recognition-jobs/", data, format="multipart")
    )
    assert response.status_code == 202, response.content
    # The 202 says where to watch the job, absolute, and its url says the same.
    assert response["Location"] == response.json()["url"]
    assert response["Location"].startswith("http://testserver/api/v1/recognition-jobs/")
    return client.get(response["Location"]).json()


def test_verify_result_has_a_match_flag_at_the_purposes_threshold(
    rec, enrolled, faces, api_as, run_on_commit
):
    client = api_as(rec.world.owner)
    same = _run(rec, client, faces, run_on_commit, "verify", enrolled["obama"])
    other = _run(rec, client, faces, run_on_commit, "verify", enrolled["biden"])
    [hit], [miss] = same["results"], other["results"]
    assert hit["match"] is True and hit["decision"] == "verified"
    assert hit["distance"] <= same["match_threshold"]
    assert miss["match"] is False and miss["decision"] == "not_verified"
    assert miss["distance"] > other["match_threshold"]


def test_detect_results_have_no_match_flag(rec, enrolled, faces, api_as, run_on_commit):
    job = _run(rec, api_as(rec.world.owner), faces, run_on_commit, "detect")
    assert [r["match"] for r in job["results"]] == [None]
