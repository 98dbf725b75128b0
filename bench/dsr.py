"""Data-subject requests: export and erasure of one subject with a heavy history (P5).

Each of --runs subjects gets: one consent with its receipt, 50 enrollments and 50 templates
(encrypted-size ciphertext, written as rows), 10 raw images on disk, 200 recognition results
naming them, and 10,000 audit events about them. Then times, per subject:

  export:  building the access package (profile, consents with history and receipts, the
           recognition summary, requests, every audit event) and serialising it to JSON;
  erasure: completing an erasure request end to end: withdrawal, key destruction, template,
           raw-image and result clean-up, identity erasure, then the verification that looks in
           every table and on disk, and closing the request.

Goal: under 2 s each. Usage (the database is created and migrated if needed):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_dsr \
      .venv/bin/python bench/dsr.py [--templates 50] [--events 10000] [--runs 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Scripts run as `python bench/<name>.py`, so this folder is on the path.
from benchdb import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_dsr")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-dsr-media-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def _world():
    from django.utils import timezone

    from audit.actors import Actor
    from governance.models import Deployment, DeploymentPurpose, Notice, Purpose, PurposeVersion
    from tenants.services import organization_create

    slug = f"bench-dsr-{int(time.time())}"
    org = organization_create(name=slug, slug=slug, owner_email=f"owner@{slug}.bench")
    purpose = Purpose.objects.create(organization=org, name="Gate", kind="access_control")
    version = PurposeVersion.objects.create(
        purpose=purpose,
        version=1,
        description="Gate",
        method="1:1",
        necessity_justification="Badges are lent.",
        alternatives=["badge"],
        retention_days=30,
        keep_raw_images_allowed=True,
    )
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])
    notice = Notice.objects.create(
        organization=org,
        purpose_version=version,
        language="en",
        purpose_text="Gate",
        status="published",
        published_at=timezone.now(),
        content_hash="0" * 64,
    )
    deployment = Deployment.objects.create(
        organization=org,
        name="HQ",
        address="1 Road",
        province="Shanghai",
        place_type="workplace",
        status="active",
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    return org, purpose, version, notice, deployment, Actor.system("bench")


def _subject(world, n, templates, events):
    from django.utils import timezone

    from audit.services.recording import EventSpec, audit_record_many
    from consent.models import Subject
    from consent.services import Evidence, consent_grant
    from recognition.blobs import blob_write
    from recognition.models import (
        Enrollment,
        FaceTemplate,
        RawImage,
        RecognitionJob,
        RecognitionResult,
        SubjectKey,
    )

    org, purpose, version, notice, deployment, actor = world
    subject = Subject.objects.create(
        organization=org,
        display_name=f"Bench Person {n}",
        email=f"p{n}@bench.test",
        phone="+86 139 0000 0000",
        age_bracket="18_plus",
        external_ref=f"B-{n:05d}",
    )
    consent_grant(
        subject=subject,
        purpose_version=version,
        notice=notice,
        actor=actor,
        evidence=Evidence(channel="api", consent_ui_version="bench", ip="10.0.0.1"),
        central_storage=True,
        raw_images=True,
    )
    later = timezone.now() + timezone.timedelta(days=30)
    SubjectKey.objects.create(
        organization=org, subject=subject, wrapped=os.urandom(60), stored_templates=templates
    )
    common = dict(
        organization=org,
        deployment=deployment,
        purpose=purpose,
        purpose_version=version,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            **common,
            status="succeeded",
            model_version="dlib-r1",
            actor_type="user",
            actor_label="operator@bench",
        )
        for _ in range(templates)
    )
    FaceTemplate.objects.bulk_create(
        FaceTemplate(
            **common,
            enrollment=e,
            ciphertext=os.urandom(541),
            model_version="dlib-r1",
            retain_until=later,
        )
        for e in enrollments
    )
    RawImage.objects.bulk_create(
        RawImage(
            organization=org,
            subject=subject,
            purpose=purpose,
            enrollment=e,
            path=blob_write(folder=f"raw/{org.pk}", data=os.urandom(40_000)),
            retain_until=later,
        )
        for e in enrollments[:10]
    )
    job = RecognitionJob.objects.create(
        organization=org,
        deployment=deployment,
        purpose=purpose,
        purpose_version=version,
        mode="identify",
        match_threshold=0.5,
        actor_type="user",
        actor_label="operator@bench",
        status="succeeded",
    )
    RecognitionResult.objects.bulk_create(
        RecognitionResult(
            organization=org,
            job=job,
            image_index=i,
            face_index=0,
            box=[1, 2, 3, 4],
            subject=subject,
            subject_pseudonym=subject.pseudonym,
            distance=0.3,
            matched=True,
        )
        for i in range(200)
    )
    pseudonym = str(subject.pseudonym)
    for start in range(0, events, 2000):
        audit_record_many(
            organization_id=org.pk,
            actor=actor,
            events=[
                EventSpec(
                    "bench.door_opened",
                    "deployment",
                    str(deployment.pk),
                    pseudonym,
                    {"i": i, "gate": "north"},
                )
                for i in range(start, min(events, start + 2000))
            ],
        )
    return subject


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=50)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_database()

    from audit.actors import Actor
    from dsr.models import DataRequest
    from dsr.services.completion import dsr_request_complete
    from dsr.services.export import package_json, subject_package
    from dsr.services.filing import dsr_request_file

    world = _world()
    dpo = Actor(kind=Actor.USER, id="1", label="dpo@bench")
    exports, erasures, sizes, reports = [], [], [], []
    for n in range(args.runs):
        t = time.perf_counter()
        subject = _subject(world, n, args.templates, args.events)
        print(f"subject {n}: loaded in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        body = package_json(subject_package(subject=subject))
        exports.append(time.perf_counter() - t)
        sizes.append(len(body))
        request = dsr_request_file(
            subject=subject,
            kind=DataRequest.Kind.ERASURE,
            message="",
            channel="api",
            actor=dpo,
            identity_check="bench",
        )
        t = time.perf_counter()
        request = dsr_request_complete(data_request=request, actor=dpo)
        erasures.append(time.perf_counter() - t)
        reports.append(request.verification_report)
        print(
            f"  export {exports[-1] * 1000:.0f} ms ({len(body) / 1e6:.1f} MB JSON); "
            f"erasure {erasures[-1] * 1000:.0f} ms (verification passed: "
            f"{request.verification_report['passed']})",
            flush=True,
        )

    def ms(values, pick):
        return f"{pick(values) * 1000:.0f} ms"

    print(f"\n{args.templates} templates, {args.events} audit events, {args.runs} subjects")
    print(f"export:  best {ms(exports, min)}, median {ms(exports, statistics.median)}")
    print(f"erasure: best {ms(erasures, min)}, median {ms(erasures, statistics.median)}")
    print(f"erased: {reports[-1]['erased']}")
    print(f"checks: {len(reports[-1]['checks'])}, all passed: {all(r['passed'] for r in reports)}")


if __name__ == "__main__":
    main()
