"""The organizations of the generated R33 isolation tests: one object of each kind per tenant.

Used by tests/portal/cross_tenant.py (the two worlds A and B) and the row-level security tests.
"""

import io
from dataclasses import dataclass, field

from django.utils import timezone
from PIL import Image

ROLES = ("owner", "dpo", "operator", "auditor")


# --- The world: A with one object of each kind, B with its people, keys and own objects ------


@dataclass
class Tenant:
    org: object
    users: dict
    objects: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _tenant(slug: str, mark: str) -> Tenant:
    from audit.actors import Actor
    from consent.services import Evidence, consent_grant
    from dsr.models import ImportedConsent, PortabilityImport, PortabilityTransfer
    from governance.models import (
        AssessmentAttachment,
        Complaint,
        DeploymentPurpose,
        Entrustment,
        Filing,
        FilingDocument,
    )
    from recognition.models import Enrollment, RecognitionJob, RecognitionResult
    from recognition.services.compreface import compreface_key_create
    from tenants.models import ApiKey
    from tenants.services import api_key_create
    from tests.factories import (
        AssessmentFactory,
        DataRequestFactory,
        DeploymentFactory,
        DeviceFactory,
        IncidentFactory,
        MembershipFactory,
        MinorDataRulesFactory,
        NoticeFactory,
        OrganizationFactory,
        PublishedNoticeFactory,
        PurposeFactory,
        RecipientFactory,
        SubjectFactory,
        TransferBasisFactory,
        UserFactory,
    )

    try:
        from tenants.services import invitation_create
    except ImportError:  # member management without invitations
        invitation_create = None

    actor = Actor.system("test")
    org = OrganizationFactory(name=f"{mark} Corp", slug=slug)
    users = {}
    for role in ROLES:
        users[role] = UserFactory(username=f"{role}-{mark.lower()}@{slug}.test")
        MembershipFactory(organization=org, user=users[role], role=role)
    t = Tenant(org=org, users=users)
    keys = {}
    for role in ROLES:
        key, secret = api_key_create(organization=org, actor=actor, name=f"{role} key", role=role)
        keys[role] = secret
    t.keys = keys
    o = t.objects
    o["api_key"] = ApiKey.objects.filter(organization=org).first()
    o["deployment"] = DeploymentFactory(organization=org, name=f"{mark} site")
    o["device"] = DeviceFactory(deployment=o["deployment"], identifier=f"{mark}-gate")
    o["purpose"] = PurposeFactory(organization=org, name=f"{mark} purpose")
    o["version"] = o["purpose"].current_version
    DeploymentPurpose.objects.create(deployment=o["deployment"], purpose=o["purpose"])
    o["notice"] = PublishedNoticeFactory(purpose_version=o["version"], controller_name=mark)
    o["draft_notice"] = NoticeFactory(purpose_version=o["version"], language="zh-hans")
    o["assessment"] = AssessmentFactory(deployment=o["deployment"], title=f"{mark} PIA")
    o["attachment"] = AssessmentAttachment.objects.create(
        assessment=o["assessment"], file=f"governance/{mark}.pdf", name=f"{mark}.pdf", sha256="0"
    )
    o["incident"] = IncidentFactory(organization=org, title=f"{mark} incident")
    o["subject"] = SubjectFactory(
        organization=org, display_name=f"{mark} person", email=f"person@{slug}.test"
    )
    o["consent"], o["receipt"] = consent_grant(
        subject=o["subject"],
        purpose_version=o["version"],
        notice=o["notice"],
        actor=actor,
        evidence=Evidence(channel="api", consent_ui_version="test-1"),
        kind="separate",
        face_processing=True,
        central_storage=True,
        raw_images=False,
    )
    o["data_request"] = DataRequestFactory(subject=o["subject"], message=mark)
    o["portability_transfer"] = PortabilityTransfer.objects.create(
        organization=org,
        data_request=DataRequestFactory(
            subject=o["subject"], kind="portability_transfer", message=mark
        ),
        receiver_name=f"{mark} receiver",
        receiver_contact=f"dpo@{slug}-receiver.test",
        receiver_location="CN",
        delivery="link",
    )
    # A file another portal exported, imported here (R46): the panel's import pages name it.
    o["portability_import"] = PortabilityImport.objects.create(
        organization=org,
        subject=o["subject"],
        subject_pseudonym=o["subject"].pseudonym,
        schema_version="1.0",
        source_controller=f"{mark} sender",
        file_sha256="0" * 64,
        summary={"consents": 1, "requests_not_imported": 0, "templates_not_imported": 0},
    )
    ImportedConsent.objects.create(
        organization=org,
        source=o["portability_import"],
        subject=o["subject"],
        purpose_name=f"{mark} purpose",
        state_at_source="active",
    )
    o["minor_rules"] = MinorDataRulesFactory(organization=org, title=f"{mark} rules")
    today = timezone.localdate()
    o["filing"] = Filing.objects.create(
        organization=org, kind="initial", reason=mark, trigger_date=today, deadline=today
    )
    o["filing_document"] = FilingDocument.objects.create(
        organization=org,
        filing=o["filing"],
        kind="other",
        file=f"governance/{mark}-sealed.pdf",
        name=f"{mark}-sealed.pdf",
        sha256="0",
    )
    o["entrustment"] = Entrustment.objects.create(
        organization=org,
        contract_reference=f"{mark}-contract",
    )
    o["recipient"] = RecipientFactory(organization=org, name=f"{mark} recipient", location="SG")
    o["transfer_basis"] = TransferBasisFactory(recipient=o["recipient"], reference=f"{mark}-sc")
    o["complaint"] = Complaint.objects.create(
        organization=org, deployment=o["deployment"], message=mark, deadline=today
    )
    work = {
        "organization": org,
        "deployment": o["deployment"],
        "purpose": o["purpose"],
        "purpose_version": o["version"],
        "actor_type": "system",
    }
    o["enrollment"] = Enrollment.objects.create(
        **work, subject=o["subject"], subject_pseudonym=o["subject"].pseudonym
    )
    o["job"] = RecognitionJob.objects.create(**work, mode="identify", match_threshold=0.6)
    # A CompreFace client's key, bound to the deployment and purpose; the API names it by its id.
    o["compreface_key"], _secret, _binding = compreface_key_create(
        organization=org,
        actor=actor,
        name=f"{mark} gate",
        deployment=o["deployment"],
        purpose=o["purpose"],
    )
    o["result"] = RecognitionResult.objects.create(
        organization=org,
        job=o["job"],
        image_index=0,
        face_index=0,
        box=[0, 1, 1, 0],
        subject=o["subject"],
        subject_pseudonym=o["subject"].pseudonym,
        distance=0.1,
        matched=True,
        review_status="pending",
    )
    from audit.models import AuditEvent

    o["audit_event"] = AuditEvent.objects.filter(organization=org).order_by("pk").first()
    if invitation_create is not None:
        o["invitation"] = invitation_create(
            organization=org, actor=actor, email=f"invitee-{mark.lower()}@{slug}.test", role="dpo"
        )
    o["membership"] = org.memberships.get(user=users["auditor"])
    o["user"] = users["operator"]
    return t
