"""The CompreFace-compatible API, driven by CompreFace's own unmodified Python SDK (issue 18).

The SDK (compreface-sdk on PyPI) talks to pytest's live server exactly as it would to a
CompreFace server: a domain, a port, its fixed /api/v1/... paths and an x-api-key. Tasks run
inline (eager) in the server's thread, so an example is encoded while the request waits; the
engine's answers are the real ones (cached per photo).
"""

import sys
import types

import pytest
import requests

from audit.actors import Actor
from audit.models import AuditEvent
from recognition.models import Enrollment, FaceTemplate
from recognition.services.compreface import compreface_key_create
from tenants.services import api_key_create
from tests.factories import DeploymentFactory
from tests.recognition.conftest import make_rec_world

pytestmark = pytest.mark.django_db(transaction=True)


def _http(method: str, url: str, **kwargs):
    return requests.request(method, url, timeout=60, **kwargs)


def _sdk():
    """Import CompreFace's SDK as published.

    compreface-sdk 0.6.0 pins requests-toolbelt 0.9.1, which imports urllib3's App Engine
    module, gone since urllib3 2. The module is never used by the multipart encoder the SDK
    calls, so an empty stand-in lets the unmodified SDK import on a current stack.
    """
    sys.modules.setdefault("urllib3.contrib.appengine", types.ModuleType("appengine"))
    from compreface import CompreFace

    return CompreFace


@pytest.fixture
def cf(world, settings, live_server, eager, cached_engine):
    """An organization with a bound CompreFace key, served on the host 127.0.0.1."""
    settings.COMPREFACE_HOSTS = ["127.0.0.1"]
    rec = make_rec_world(world)
    key, secret, binding = compreface_key_create(
        organization=rec.org,
        actor=Actor.system("test"),
        name="gate controller",
        deployment=rec.deployment,
        purpose=rec.purpose,
    )
    port = live_server.url.rsplit(":", 1)[1]
    rec.secret, rec.key, rec.binding, rec.port = secret, key, binding, port
    rec.sdk = _sdk()("http://127.0.0.1", port, {})
    rec.base = f"http://127.0.0.1:{port}/api/v1"
    return rec


def _consenting(rec, ref: str):
    subject = rec.subject(ref, external_ref=ref)
    rec.consent(subject)
    return subject


def test_sdk_add_recognize_verify_detect_and_delete_subject(cf, faces):
    recognition = cf.sdk.init_face_recognition(cf.secret)
    collection = recognition.get_face_collection()
    _consenting(cf, "emp-obama")
    biden = _consenting(cf, "emp-biden")

    added = collection.add(image_path=str(faces.path("obama.jpg")), subject="emp-obama")
    assert added["subject"] == "emp-obama", added
    obama_image = added["image_id"]
    assert Enrollment.objects.get(public_id=obama_image).status == "succeeded"
    added = collection.add(image_path=str(faces.path("biden.jpg")), subject="emp-biden")
    assert added["subject"] == "emp-biden", added

    listed = collection.list()
    assert listed["total_elements"] == 2
    assert {f["subject"] for f in listed["faces"]} == {"emp-obama", "emp-biden"}
    assert sorted(recognition.get_subjects().list()["subjects"]) == ["emp-biden", "emp-obama"]

    found = recognition.recognize(image_path=str(faces.path("two_people.jpg")))
    assert len(found["result"]) == 2, found
    named = {}
    for face in found["result"]:
        assert set(face["box"]) == {"probability", "x_min", "y_min", "x_max", "y_max"}
        assert face["box"]["x_min"] < face["box"]["x_max"]
        assert len(face["subjects"]) == 1, face
        named[face["subjects"][0]["subject"]] = face["subjects"][0]["similarity"]
    assert set(named) == {"emp-obama", "emp-biden"}
    assert all(0.5 <= similarity <= 1.0 for similarity in named.values())

    verified = collection.verify(image_path=str(faces.path("obama2.jpg")), image_id=obama_image)
    assert len(verified["result"]) == 1, verified
    assert verified["result"][0]["similarity"] >= 0.5
    other = collection.verify(image_path=str(faces.path("biden.jpg")), image_id=obama_image)
    assert other["result"][0]["similarity"] == 0.0

    detection = cf.sdk.init_face_detection(cf.secret)
    boxes = detection.detect(image_path=str(faces.path("two_people.jpg")), options={"limit": 1})
    assert len(boxes["result"]) == 1 and boxes["result"][0]["box"]["probability"] == 1.0
    assert "subjects" not in boxes["result"][0]

    assert recognition.get_subjects().delete("emp-biden") == {"subject": "emp-biden"}
    assert not FaceTemplate.objects.filter(subject=biden).exists()
    assert (
        Enrollment.objects.get(subject=biden).template_state
        == Enrollment.TemplateState.DELETED_BY_OPERATOR
    )
    erased = AuditEvent.objects.filter(
        action="recognition.template_deleted", subject_pseudonym=str(biden.pseudonym)
    )
    assert [e.details["reason"] for e in erased] == ["deleted_by_operator"]
    found = recognition.recognize(image_path=str(faces.path("two_people.jpg")))
    names = [s["subject"] for face in found["result"] for s in face["subjects"]]
    assert names == ["emp-obama"]
    assert recognition.get_subjects().list() == {"subjects": ["emp-obama"]}


def test_r12_adding_an_example_without_consent_is_refused_and_says_why(cf, faces):
    collection = cf.sdk.init_face_recognition(cf.secret).get_face_collection()
    cf.subject("No consent", external_ref="emp-none")
    refused = collection.add(image_path=str(faces.path("obama.jpg")), subject="emp-none")
    assert refused["code"] == 40 and refused["reason"] == "consent_required", refused
    assert refused["rule"] == "R12" and "consent" in refused["message"]
    unknown = collection.add(image_path=str(faces.path("obama.jpg")), subject="emp-nobody")
    assert unknown["reason"] == "subject_unknown" and unknown["rule"] == "R12"
    assert not Enrollment.objects.exists()


def test_withdrawn_consent_takes_the_subject_out_of_recognition(cf, faces):
    recognition = cf.sdk.init_face_recognition(cf.secret)
    subject = _consenting(cf, "emp-obama")
    recognition.get_face_collection().add(
        image_path=str(faces.path("obama.jpg")), subject="emp-obama"
    )
    cf.withdraw(subject.consents.get())
    found = recognition.recognize(image_path=str(faces.path("obama2.jpg")))
    assert [face["subjects"] for face in found["result"]] == [[]]
    assert recognition.get_subjects().list() == {"subjects": []}


def test_another_organizations_key_sees_none_of_the_subjects(cf, world, faces):
    _consenting(cf, "emp-obama")
    recognition = cf.sdk.init_face_recognition(cf.secret)
    image_id = recognition.get_face_collection().add(
        image_path=str(faces.path("obama.jpg")), subject="emp-obama"
    )["image_id"]
    other = make_rec_world(world, org=world.outsider_org)
    _key, secret, _binding = compreface_key_create(
        organization=other.org,
        actor=Actor.system("test"),
        name="their gate",
        deployment=other.deployment,
        purpose=other.purpose,
    )
    theirs = cf.sdk.init_face_recognition(secret)
    assert theirs.get_subjects().list() == {"subjects": []}
    assert theirs.get_face_collection().list()["faces"] == []
    assert theirs.get_subjects().delete("emp-obama")["code"] == 0
    gone = theirs.get_face_collection().verify(
        image_path=str(faces.path("obama2.jpg")), image_id=image_id
    )
    assert gone["code"] == 11
    assert theirs.get_face_collection().delete(image_id)["code"] == 11
    assert theirs.get_face_collection().delete_all("emp-obama") == {"deleted": 0}
    assert FaceTemplate.objects.filter(organization=cf.org).count() == 1


def test_refusals_name_their_rule(cf, faces):
    headers = {"x-api-key": cf.secret}
    photo = {"file": ("p.jpg", faces.read("obama2.jpg"), "image/jpeg")}
    plugins = _http(
        "POST",
        f"{cf.base}/recognition/recognize?face_plugins=age,gender",
        headers=headers,
        files=photo,
    )
    assert plugins.status_code == 422 and plugins.json()["rule"] == "R41"
    pair = cf.sdk.init_face_verification(cf.secret).verify(
        source_image_path=str(faces.path("obama.jpg")),
        target_image_path=str(faces.path("obama2.jpg")),
    )
    assert pair["code"] == 40 and pair["rule"] == "R12"
    image = _http("GET", f"{cf.base}/static/{cf.secret}/images/x")
    assert image.status_code == 422 and image.json()["rule"] == "R21"
    rename = _http(
        "PUT", f"{cf.base}/recognition/subjects/emp-x", headers=headers, json={"subject": "y"}
    )
    assert rename.status_code == 422 and rename.json()["rule"] == "R33"
    missing = _http("GET", f"{cf.base}/recognition/subjects")
    assert missing.status_code == 401 and missing.json()["code"] == 20
    nowhere = _http("GET", f"{cf.base}/recognition/nothing", headers=headers)
    assert nowhere.status_code == 404 and nowhere.json()["code"] == 0


def test_r33_keys_answer_on_their_own_api_only(cf, live_server):
    # The CompreFace key cannot use the portal's REST API (it could record consents there).
    rest = _http(
        "GET",
        f"{live_server.url}/api/v1/organization/",
        headers={"Authorization": f"Bearer {cf.secret}"},
    )
    assert rest.status_code == 401
    _key, rest_secret = api_key_create(
        organization=cf.org, actor=Actor.system("test"), name="hr", role="owner"
    )
    other = _http("GET", f"{cf.base}/recognition/subjects", headers={"x-api-key": rest_secret})
    assert other.status_code == 401 and other.json()["code"] == 10
    # Its grants are the deployment's it serves, and no other's.
    elsewhere = DeploymentFactory(organization=cf.org, status="active", name="Back door")
    assert cf.key.user.has_perm("governance.enroll_faces", cf.deployment)
    assert not cf.key.user.has_perm("governance.enroll_faces", elsewhere)
    assert not cf.key.user.has_perm("governance.run_job", elsewhere)


def test_the_same_api_under_the_compreface_prefix_on_the_portal_host(cf, live_server, faces):
    # An SDK that cannot use a host of its own reaches the prefix through its port string.
    sdk = _sdk()("http://localhost", f"{cf.port}/compreface", {})
    boxes = sdk.init_face_detection(cf.secret).detect(image_path=str(faces.path("obama.jpg")))
    assert len(boxes["result"]) == 1
    # On the portal's own host, /api/v1/ stays the portal's API.
    own = _http(
        "GET", f"{live_server.url}/api/v1/recognition/subjects", headers={"x-api-key": cf.secret}
    )
    assert own.status_code == 404 and own.json()["code"] == "not_found"


@pytest.mark.worker
def test_on_a_real_worker_the_request_waits_for_the_example_and_the_search(
    world, settings, live_server, live_workers, faces
):
    """Nothing is decoded on the web thread: the SDK's calls wait on a separate worker."""
    import time

    live_workers(1)
    settings.COMPREFACE_HOSTS = ["127.0.0.1"]
    rec = make_rec_world(world)
    _key, secret, _binding = compreface_key_create(
        organization=rec.org,
        actor=Actor.system("test"),
        name="gate",
        deployment=rec.deployment,
        purpose=rec.purpose,
    )
    _consenting(rec, "emp-obama")
    port = live_server.url.rsplit(":", 1)[1]
    recognition = _sdk()("http://127.0.0.1", port, {}).init_face_recognition(secret)
    started = time.monotonic()
    added = recognition.get_face_collection().add(
        image_path=str(faces.path("obama.jpg")), subject="emp-obama"
    )
    added_in = time.monotonic() - started
    assert added["subject"] == "emp-obama", added
    assert Enrollment.objects.get(public_id=added["image_id"]).worker  # a worker stored it
    started = time.monotonic()
    found = recognition.recognize(image_path=str(faces.path("obama2.jpg")))
    found_in = time.monotonic() - started
    assert [s["subject"] for s in found["result"][0]["subjects"]] == ["emp-obama"], found
    print(f"add example {added_in:.2f} s, recognize {found_in:.2f} s on a real worker")
