"""bench/load.py's world: one organization with a gate, its key and subjects, seeded through the
product's services in the orchestrating process (Django set up), and the jobs it left behind."""

import random
import uuid
from datetime import datetime, timedelta


def seed(*, subjects: int = 400, rng: random.Random | None = None) -> dict:
    """Create the organization, its gate and subjects through the product's services.

    Of the subjects, 80% are given a consent (one in ten of those then withdraws it) and the
    rest never consent, so the gate hears both answers. Return what the clients need.
    """
    from django.utils import timezone

    from audit.actors import Actor
    from consent.models import Subject
    from consent.services import Evidence, consent_grant, consent_withdraw
    from governance.models import (
        Assessment,
        Deployment,
        DeploymentPurpose,
        Notice,
        Purpose,
        PurposeVersion,
    )
    from governance.services.deployments import deployment_grant_operator
    from tenants.services import api_key_create, organization_create

    rng = rng or random.Random(15)
    actor = Actor.system("bench-load")
    slug = f"bench-load-{uuid.uuid4().hex[:8]}"
    org = organization_create(name=slug, slug=slug, owner_email=f"owner@{slug}.bench")
    purpose = Purpose.objects.create(organization=org, name="Office gate", kind="identify_1toN")
    version = PurposeVersion.objects.create(
        purpose=purpose,
        version=1,
        description="Let employees through the office gate.",
        method="1:N search at the gate against the consented employees.",
        necessity_justification="Badges are lent and lost.",
        alternatives=["badge and PIN"],
        retention_days=30,
    )
    purpose.current_version = version
    purpose.save(update_fields=["current_version"])
    notice = Notice.objects.create(
        organization=org,
        purpose_version=version,
        language="en",
        purpose_text="Opening the office gate.",
        status="published",
        published_at=timezone.now(),
        content_hash=uuid.uuid4().hex * 2,
    )
    deployment = Deployment.objects.create(
        organization=org,
        name="HQ gate",
        address="1 Gate Road, Shanghai",
        province="Shanghai",
        place_type="workplace",
        status="active",
        storage_mode="central",
        central_storage_reason="Every gate of the site matches against one gallery.",
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    # Jobs need a signed-off assessment covering the purpose's current version (R27, R29).
    assessment = Assessment.objects.create(
        organization=org,
        deployment=deployment,
        title="Gate PIA",
        section_lawfulness="Consent under PIPL Art. 13 and 29.",
        section_rights_impact="Low; the badge stays available.",
        section_security_risks="Templates encrypted at rest.",
        section_protective_measures="Encryption, access control, audit trail.",
        status="approved",
        signed_off_at=timezone.now(),
        retain_until=timezone.now().date() + timedelta(days=3 * 366),
    )
    assessment.purpose_versions.set([version])
    key, secret = api_key_create(organization=org, actor=actor, name="gate", role="operator")
    deployment_grant_operator(deployment=deployment, user=key.user, actor=actor, perms=["run_job"])
    people = Subject.objects.bulk_create(
        Subject(
            organization=org,
            display_name=f"Person {n}",
            external_ref=f"badge-{n}",
            age_bracket=Subject.AgeBracket.ADULT,
        )
        for n in range(subjects)
    )
    evidence = Evidence(channel="api", consent_ui_version="bench-1", ip="127.0.0.1")
    consented = withdrawn = 0
    for person in people:
        if rng.random() >= 0.8:
            continue
        consent, _receipt = consent_grant(
            subject=person,
            purpose_version=version,
            notice=notice,
            actor=actor,
            evidence=evidence,
            central_storage=True,
        )
        consented += 1
        if rng.random() < 0.1:
            consent_withdraw(consent=consent, actor=actor, channel="api")
            withdrawn += 1
    return {
        "organization_id": org.pk,
        "key": secret,
        "deployment": deployment.pk,
        "purpose": purpose.pk,
        "pseudonyms": [str(p.pseudonym) for p in people],
        "subjects": subjects,
        "consented": consented,
        "withdrawn": withdrawn,
    }


def jobs_summary(*, organization_id: int, since: datetime, until: datetime) -> dict:
    """Return the organization's jobs by status, and how many finished inside the window."""
    from django.db.models import Count

    from recognition.models import RecognitionJob

    jobs = RecognitionJob.objects.filter(organization_id=organization_id)
    by_status = dict(jobs.values_list("status").annotate(n=Count("pk")).order_by())
    finished = jobs.filter(finished_at__gte=since, finished_at__lt=until).count()
    return {"total": jobs.count(), "by_status": by_status, "finished_in_window": finished}
