"""Starting points for a deployment: what a common kind of site declares (issue 18).

A template fills the deployment's settings, its purpose and first purpose version, an English
notice draft and an impact-assessment draft, so that going live takes a few API calls instead
of ten. Every text is a draft the organization reads and adapts: nothing is published or signed
off by the template, and the rules (R3, R9, R14, R19, R20, R27, R28) are checked by the same
services as for anything written by hand. The wording follows the demo's (portal/demo), which
was written against docs/regulations.md, without its site-specific details.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from governance.models import Deployment, Purpose


@dataclass(frozen=True)
class DeploymentTemplate:
    key: str
    title: Promise
    summary: Promise
    # Deployment fields (governance.services.deployments.DEPLOYMENT_FIELDS) besides name,
    # address and province, which the caller gives.
    deployment: dict
    purpose_name: str
    purpose_kind: str
    # The first purpose version (governance.services.purposes.VERSION_FIELDS).
    version: dict
    # Notice texts the organization's details and the purpose version cannot suggest.
    notice: dict
    assessment_sections: dict = field(default_factory=dict)


_RIGHTS_EXERCISE = (
    "You can see, correct, copy or delete your data, withdraw your consent at any time, or ask "
    "us to explain the processing: on this site's self-service pages (/me/, sign in with your "
    "e-mail address or a receipt code), at reception, or by writing to our personal "
    "information contact. Withdrawing is as easy as consenting and costs you nothing."
)

STAFF_ACCESS_CONTROL = DeploymentTemplate(
    key="staff_access_control",
    title=_("Staff access control"),
    summary=_(
        "Turnstiles or doors of a workplace open for employees who consented; a card and PIN "
        "lane stays open for everyone else. Templates are kept centrally, with each person's "
        "separate consent, so that every entrance recognises them."
    ),
    deployment={
        "place_type": Deployment.PlaceType.WORKPLACE,
        "processing_kind": Deployment.ProcessingKind.PRODUCTION,
        "storage_mode": Deployment.StorageMode.CENTRAL,
        "central_storage_reason": (
            "Staff use several entrances; a template kept on one device would not open the "
            "others. People who decline central storage use their card and PIN."
        ),
        "verification_channel": Deployment.VerificationChannel.TENANT_GALLERY,
        "capture_area": "The entrance lanes only; cameras face the lanes at 0.5-1.5 m.",
    },
    purpose_name="Staff access control",
    purpose_kind=Purpose.Kind.ACCESS_CONTROL,
    version={
        "description": "Open the staff entrances for employees who consented.",
        "method": (
            "Comparison at the entrance against the encrypted templates of the people allowed "
            "in. Entrance pictures are discarded after the comparison."
        ),
        "necessity_justification": (
            "Staff cards are lent and lost; the entrance leads to restricted areas, so it must "
            "confirm that the card holder is the person entering."
        ),
        "alternatives": ["Staff card and PIN at the entrance", "Card check by the guard"],
        "retention_days": 365,
    },
    notice={
        "rights_impact_text": (
            "A false rejection may keep you waiting at the entrance; the guard then lets you in "
            "with your staff card. A leaked template could let someone recognise you elsewhere, "
            "so templates are encrypted and never given to anyone else. Refusing face "
            "recognition has no effect on your employment."
        ),
        "rights_exercise_text": _RIGHTS_EXERCISE,
        "alternative_text": (
            "Use your staff card and PIN at the entrance, or show your card to the guard. Both "
            "stay available at all times and put you at no disadvantage."
        ),
    },
    assessment_sections={
        "section_lawfulness": (
            "Processing rests on each person's separate consent (PIPL Art. 13(1), 29), collected "
            "before enrollment with the published notice. Central storage is asked separately "
            "(FRM Art. 8). The purpose is limited to opening the staff entrances; the place is a "
            "workplace, not a public place."
        ),
        "section_rights_impact": (
            "Low. A false rejection delays entry; the guard lets the person in with a staff "
            "card. The card-and-PIN lane stays open, so refusing face recognition costs nothing "
            "and has no effect on employment. No result has significant effects."
        ),
        "section_security_risks": (
            "Templates could leak from the server or a device; enrollment lists could be "
            "printed or copied; an operator could enrol a person without consent."
        ),
        "section_protective_measures": (
            "Templates encrypted at rest with per-organization keys; entrance pictures "
            "discarded after comparison; enrollment only by operators granted per deployment; "
            "every action in the tamper-evident audit trail; consent checked before each "
            "enrollment and job; templates purged on withdrawal; grants reviewed quarterly."
        ),
    },
)

VISITOR_VERIFICATION = DeploymentTemplate(
    key="visitor_verification",
    title=_("Visitor verification"),
    summary=_(
        "A lobby kiosk checks that an invited visitor is the person invited (1:1), against the "
        "photo given with the invitation; the receptionist's identity-document check stays "
        "open. Templates are kept for a week."
    ),
    deployment={
        "place_type": Deployment.PlaceType.PRIVATE_PREMISES,
        "processing_kind": Deployment.ProcessingKind.PRODUCTION,
        "storage_mode": Deployment.StorageMode.CENTRAL,
        "central_storage_reason": (
            "The invitation photo is enrolled before the visit, when the visitor is not at the "
            "kiosk; it is kept centrally for the visit and deleted after a week."
        ),
        "verification_channel": Deployment.VerificationChannel.TENANT_GALLERY,
        "capture_area": "In front of the lobby kiosk only, at arm's length.",
    },
    purpose_name="Visitor verification",
    purpose_kind=Purpose.Kind.VERIFY_1TO1,
    version={
        "description": "Check in visitors invited in advance at the lobby kiosk.",
        "method": (
            "1:1 comparison of the visitor's face with the photo uploaded with the invitation."
        ),
        "necessity_justification": (
            "Invitations are forwarded; the kiosk confirms that the invited person is the visitor."
        ),
        "alternatives": ["Identity document check by the receptionist"],
        "retention_days": 7,
    },
    notice={
        "rights_impact_text": (
            "A false rejection sends you to the receptionist, who checks your identity "
            "document. Your template is deleted a week after your visit."
        ),
        "rights_exercise_text": _RIGHTS_EXERCISE,
        "alternative_text": (
            "Show an identity document to the receptionist instead; it takes no longer and "
            "puts you at no disadvantage."
        ),
    },
    assessment_sections={
        "section_lawfulness": (
            "Processing rests on each visitor's separate consent (PIPL Art. 13(1), 29), given "
            "with the invitation after the notice. Central storage is asked separately (FRM "
            "Art. 8). The purpose is limited to checking in invited visitors."
        ),
        "section_rights_impact": (
            "Low. A false rejection sends the visitor to the receptionist; declining costs "
            "nothing. No result has significant effects."
        ),
        "section_security_risks": (
            "Invitation photos and templates could leak; a forwarded invitation could be "
            "used by someone else."
        ),
        "section_protective_measures": (
            "Templates encrypted at rest and deleted after seven days; kiosk pictures "
            "discarded after comparison; every action in the tamper-evident audit trail; "
            "consent checked before each enrollment and check."
        ),
    },
)

TEMPLATES: dict[str, DeploymentTemplate] = {
    template.key: template for template in (STAFF_ACCESS_CONTROL, VISITOR_VERIFICATION)
}
