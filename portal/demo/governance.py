"""The demo's deployments, purposes, notices, impact assessment and incident.

Each step looks for the row it would make (by name, title or identifier) and calls the service
only when the row is missing, so a second run writes nothing and audits nothing.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from governance.models import (
    Assessment,
    Deployment,
    DeploymentPurpose,
    Device,
    Incident,
    Notice,
    Purpose,
)
from governance.selectors import (
    assessment_approved_for,
    deployment_operator_grants,
    notice_published_for,
)
from governance.services import (
    assessment_create,
    assessment_sign_off,
    deployment_activate,
    deployment_attach_purpose,
    deployment_create,
    deployment_grant_operator,
    deployment_set_signage,
    device_add,
    incident_create,
    notice_create,
    notice_publish,
    purpose_create,
)
from portal.demo.notices import STAFF_ACCESS_NOTICE, VISITOR_NOTICE_DRAFT_EN
from portal.demo.organization import Members, user_actor

HEADQUARTERS = "Headquarters staff entrance"
VISITOR_KIOSK = "Visitor kiosk"
WASHROOM = "Ground-floor washroom (proposed)"
STAFF_ACCESS = "Staff access control"
VISITOR_CHECK_IN = "Visitor check-in"
ASSESSMENT_TITLE = "PIA: Headquarters staff entrance, staff access control"
INCIDENT_TITLE = "Enrollment list left on the reception printer"
OPERATOR_PERMS = ["enroll_faces", "run_job", "view_results"]

STAFF_ACCESS_VERSION = {
    "description": (
        "Open the Headquarters staff entrance turnstiles for employees, and for children "
        "enrolled in the on-site nursery whose guardian has consented."
    ),
    "method": (
        "Comparison at the turnstile against the templates of the people allowed in. Templates "
        "are encrypted; they are stored centrally only with the person's separate consent, "
        "otherwise on the turnstile they choose. Turnstile pictures are discarded after the "
        "comparison."
    ),
    "necessity_justification": (
        "Staff cards are lent and lost; the entrance leads to the server room and the nursery, "
        "so the turnstile must confirm that the card holder is the person entering."
    ),
    "alternatives": ["Staff card and PIN at the turnstile", "Card check by the reception guard"],
    # What the Chinese notice and pages show (the purpose's texts exist in both languages).
    "name_zh_hans": "员工门禁",
    "alternatives_zh_hans": ["在闸机刷员工卡并输入 PIN 码", "由前台保安核验员工卡"],
    "retention_days": 365,
    # The enrollment photo may be kept, with its own consent, to re-enrol people when the
    # template model changes instead of photographing everyone again (R21).
    "keep_raw_images_allowed": True,
}

VISITOR_CHECK_IN_VERSION = {
    "description": "Check in visitors invited in advance at the lobby kiosk.",
    "method": "1:1 comparison of the visitor's face with the photo uploaded with the invitation.",
    "necessity_justification": (
        "Invitations are forwarded; the kiosk confirms that the invited person is the visitor."
    ),
    "alternatives": ["Identity document check by the receptionist"],
    "name_zh_hans": "访客签到",
    "alternatives_zh_hans": ["由前台核验身份证件"],
    "retention_days": 7,
}

ASSESSMENT_SECTIONS = {
    "section_lawfulness": (
        "Processing rests on each person's separate consent (PIPL Art. 13(1), 29), collected "
        "before enrollment with the published notice in English or Chinese. Central storage and "
        "keeping the enrollment photo are asked separately (FRM Art. 8). Children under 14 are "
        "enrolled only with a guardian's consent under the published minors' rules (PIPL Art. "
        "31). The purpose is limited to opening the staff entrance; the place is a workplace, "
        "not a public place."
    ),
    "section_rights_impact": (
        "Low. A false rejection delays entry by a minute; the reception guard lets the person "
        "in with a staff card. The card-and-PIN lane stays open, so refusing face recognition "
        "costs nothing and has no effect on employment. No result has significant effects."
    ),
    "section_security_risks": (
        "Templates could leak from the server or a turnstile; enrollment photos and lists could "
        "be printed or copied; an operator could enrol a person without consent."
    ),
    "section_protective_measures": (
        "Templates encrypted at rest with per-organization keys; turnstile pictures discarded "
        "after comparison; enrollment only by operators granted per deployment; every action "
        "in the tamper-evident audit trail; consents checked before each enrollment and job; "
        "templates purged on withdrawal; quarterly review of grants by the DPO."
    ),
}

INCIDENT = {
    "title": INCIDENT_TITLE,
    "severity": Incident.Severity.MINOR,
    "data_types": "Names and staff numbers of five people waiting to be enrolled (no face data).",
    "cause": (
        "The day's enrollment list was printed at reception and left in the printer tray for "
        "about 40 minutes."
    ),
    "possible_harm": "Visitors in the lobby could learn who was about to be enrolled.",
    "remedial_measures": (
        "The page was shredded; printing enrollment lists is now disabled on the reception "
        "printer; operators were reminded to use the panel only."
    ),
    "individual_steps": "None needed; the five people were told in person.",
    "contact": "Zhang Min, dpo@demo.example, +86 21 5555 0100",
    "affected_count": 5,
}


@dataclass(frozen=True)
class GovernanceDemo:
    headquarters: Deployment
    staff_access: Purpose
    visitor_kiosk: Deployment
    washroom: Deployment


def signage_photo() -> SimpleUploadedFile:
    """Return a drawn PNG of the entrance sign (the demo has no real photograph of it)."""
    image = Image.new("RGB", (480, 320), "#f4c430")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 467, 307), outline="black", width=6)
    draw.ellipse((40, 90, 160, 210), outline="black", width=6)
    draw.ellipse((82, 132, 118, 168), fill="black")
    for y, text in (
        (100, "FACE RECOGNITION IN USE"),
        (130, "Staff entrance turnstiles"),
        (160, "Notice and alternatives: reception"),
        (190, "Card + PIN lane always open"),
    ):
        draw.text((190, y), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("hq-entrance-sign.png", buffer.getvalue(), content_type="image/png")


def _purpose(org, actor, name: str, kind: str, version: dict, log) -> Purpose:
    purpose = Purpose.objects.for_org(org).filter(name=name).first()
    if purpose is None:
        purpose = purpose_create(organization=org, actor=actor, name=name, kind=kind, **version)
        log(f"declared purpose {name}")
    return purpose


def _deployment(org, actor, values: dict, log) -> tuple[Deployment, bool]:
    deployment = Deployment.objects.for_org(org).filter(name=values["name"]).first()
    if deployment is not None:
        return deployment, False
    deployment = deployment_create(organization=org, actor=actor, **values)
    log(f"created deployment {deployment.name}")
    return deployment, True


def _devices(deployment, actor, devices: list[tuple[str, str, str]]) -> None:
    for identifier, kind, location in devices:
        if not Device.objects.filter(deployment=deployment, identifier=identifier).exists():
            device_add(
                deployment=deployment,
                actor=actor,
                identifier=identifier,
                kind=kind,
                location=location,
            )


def _attach(deployment, purpose, actor) -> None:
    if not DeploymentPurpose.objects.filter(deployment=deployment, purpose=purpose).exists():
        deployment_attach_purpose(deployment=deployment, purpose=purpose, actor=actor)


def _draft_notice(org, actor, version, language: str, content: dict) -> Notice:
    draft = (
        Notice.objects.for_org(org)
        .filter(purpose_version=version, language=language, status=Notice.Status.DRAFT)
        .first()
    )
    if draft is None:
        draft = notice_create(
            organization=org, actor=actor, purpose_version=version, language=language, **content
        )
    return draft


def _published_notice(org, actor, version, language: str, content: dict, log) -> Notice:
    notice = notice_published_for(purpose_version=version, language=language)
    if notice is None:
        draft = _draft_notice(org, actor, version, language, content)
        notice = notice_publish(notice=draft, actor=actor)
        log(f"published the {language} notice of {version}")
    return notice


def _approved_assessment(org, members: Members, deployment, log) -> None:
    if assessment_approved_for(deployment=deployment) is not None:
        return
    dpo = user_actor(members.dpo)
    draft = (
        Assessment.objects.for_org(org)
        .filter(deployment=deployment, title=ASSESSMENT_TITLE, status=Assessment.Status.DRAFT)
        .first()
    )
    if draft is None:
        # R27: the owner writes the assessment and the DPO, a different person, signs it off.
        draft = assessment_create(
            organization=org,
            actor=user_actor(members.owner),
            deployment=deployment,
            title=ASSESSMENT_TITLE,
            **ASSESSMENT_SECTIONS,
        )
    assessment_sign_off(assessment=draft, actor=dpo, user=members.dpo)
    log(f"impact assessment of {deployment.name} signed off by {members.dpo.email}")


def _headquarters(org, members: Members, log) -> tuple[Deployment, Purpose]:
    owner, dpo = user_actor(members.owner), user_actor(members.dpo)
    purpose = _purpose(
        org, owner, STAFF_ACCESS, Purpose.Kind.ACCESS_CONTROL, STAFF_ACCESS_VERSION, log
    )
    deployment, _created = _deployment(
        org,
        owner,
        {
            "name": HEADQUARTERS,
            "address": "100 Demo Road, Pudong New Area, Shanghai (Building A, ground floor)",
            "name_zh_hans": "总部员工入口",
            "address_zh_hans": "上海市浦东新区示范路 100 号（A 栋一层）",
            "province": "Shanghai",
            "place_type": Deployment.PlaceType.WORKPLACE,
            "storage_mode": Deployment.StorageMode.CENTRAL,
            "central_storage_reason": (
                "Staff use both turnstiles and the rear door; a template kept on one turnstile "
                "would not open the others. People who decline central storage keep their "
                "template on the one turnstile they choose."
            ),
            "verification_channel": Deployment.VerificationChannel.TENANT_GALLERY,
            "capture_area": "The two turnstile lanes only; cameras face the lanes at 0.5-1.5 m.",
        },
        log,
    )
    if deployment.status == Deployment.Status.DRAFT:
        _devices(
            deployment,
            owner,
            [
                ("HQ-GATE-01", Device.Kind.ACCESS_GATE, "Staff entrance, left turnstile"),
                ("HQ-GATE-02", Device.Kind.ACCESS_GATE, "Staff entrance, right turnstile"),
            ],
        )
        if not deployment.signage_photo:
            deployment = deployment_set_signage(
                deployment=deployment,
                actor=owner,
                photo=signage_photo(),
                location="Wall beside the turnstiles, at eye level, before the capture area",
                taken_on=timezone.localdate(),
            )
        _attach(deployment, purpose, owner)
        for language, content in STAFF_ACCESS_NOTICE.items():
            _published_notice(org, dpo, purpose.current_version, language, content, log)
        _approved_assessment(org, members, deployment, log)
        deployment = deployment_activate(deployment=deployment, actor=owner)
        log(f"activated {deployment.name}")
    granted = deployment_operator_grants(deployment=deployment).get(members.operator, [])
    missing = sorted(set(OPERATOR_PERMS) - set(granted))
    if missing:
        deployment_grant_operator(
            deployment=deployment, user=members.operator, actor=owner, perms=missing
        )
        log(f"granted {members.operator.email} {', '.join(missing)} on {deployment.name}")
    return deployment, purpose


def _visitor_kiosk(org, members: Members, log) -> Deployment:
    """A draft that cannot be activated yet: no published notice (R9), central storage without
    a reason (R19) and no impact assessment (R27)."""
    owner, dpo = user_actor(members.owner), user_actor(members.dpo)
    purpose = _purpose(
        org, owner, VISITOR_CHECK_IN, Purpose.Kind.VERIFY_1TO1, VISITOR_CHECK_IN_VERSION, log
    )
    deployment, created = _deployment(
        org,
        owner,
        {
            "name": VISITOR_KIOSK,
            "address": "100 Demo Road, Pudong New Area, Shanghai (Building A, main lobby)",
            "name_zh_hans": "访客自助终端",
            "address_zh_hans": "上海市浦东新区示范路 100 号（A 栋大堂）",
            "province": "Shanghai",
            "place_type": Deployment.PlaceType.PRIVATE_PREMISES,
            "storage_mode": Deployment.StorageMode.CENTRAL,
            "verification_channel": Deployment.VerificationChannel.TENANT_GALLERY,
        },
        log,
    )
    if created:
        _devices(deployment, owner, [("LOBBY-KIOSK-01", Device.Kind.KIOSK, "Main lobby")])
        _attach(deployment, purpose, owner)
        _draft_notice(org, dpo, purpose.current_version, "en", VISITOR_NOTICE_DRAFT_EN)
    return deployment


def _washroom(org, members: Members, log) -> Deployment:
    """R7: a public toilet may be recorded (so the proposal is on file) but never activated."""
    deployment, _created = _deployment(
        org,
        user_actor(members.owner),
        {
            "name": WASHROOM,
            "address": "100 Demo Road, Pudong New Area, Shanghai (Building A, ground floor)",
            "name_zh_hans": "一层卫生间（拟建）",
            "address_zh_hans": "上海市浦东新区示范路 100 号（A 栋一层）",
            "province": "Shanghai",
            "place_type": Deployment.PlaceType.PUBLIC_TOILET,
        },
        log,
    )
    return deployment


def _incident(org, members: Members, headquarters: Deployment, log) -> None:
    if Incident.objects.for_org(org).filter(title=INCIDENT_TITLE).exists():
        return
    discovered = timezone.now() - timedelta(days=2)
    incident_create(
        organization=org,
        actor=user_actor(members.dpo),
        deployment=headquarters,
        occurred_at=discovered - timedelta(minutes=40),
        discovered_at=discovered,
        **INCIDENT,
    )
    log(f"recorded the minor incident: {INCIDENT_TITLE}")


def seed_governance(*, organization, members: Members, log) -> GovernanceDemo:
    """Build (or find) the demo's deployments and their records; return the ones used later."""
    headquarters, staff_access = _headquarters(organization, members, log)
    visitor_kiosk = _visitor_kiosk(organization, members, log)
    washroom = _washroom(organization, members, log)
    _incident(organization, members, headquarters, log)
    return GovernanceDemo(
        headquarters=headquarters,
        staff_access=staff_access,
        visitor_kiosk=visitor_kiosk,
        washroom=washroom,
    )
