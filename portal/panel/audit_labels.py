"""The words the audit log's details and rarer actions read as, in the page's language.

The log stores codes (``purpose_version_id``, ``place_type: "office"``); a reader in either
language sees labels and choice names instead. A key or value not listed here is shown as
recorded, since it is data rather than a sentence of the portal's.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consent.models import Consent
from dsr.models import DataRequest
from governance.models import Assessment, Deployment, Incident, Notice, Purpose

DETAIL_LABELS = {
    "central_storage": _("Central storage"),
    "channel": _("Channel"),
    "consents": _("Consents"),
    "content_hash": _("Content hash"),
    "count": _("Count"),
    "cross_border": _("Transfer outside mainland China"),
    "date": _("Date"),
    "declared_fpir": _("Accepted false-positive identification rate"),
    "deployment_id": _("Deployment"),
    "device_id": _("Device"),
    "due_at": _("Due"),
    "email": _("E-mail"),
    "face_processing": _("Face recognition"),
    "fields": _("Fields"),
    "filters": _("Filters"),
    "fr_necessary_for_service": _("Face recognition necessary for the service"),
    "from": _("From"),
    "human_review": _("A person confirms every hit"),
    "identifier": _("Identifier"),
    "identity_checked": _("Identity checked"),
    "image_number": _("Image"),
    "is_minor_under_14": _("Under 14"),
    "items": _("Consent items"),
    "jurisdiction": _("Jurisdiction"),
    "keep_raw_images_allowed": _("Raw images may be kept"),
    "kid": _("Key id"),
    "kind": _("Kind"),
    "language": _("Language"),
    "list": _("List"),
    "location": _("Location"),
    "name": _("Name"),
    "notice_id": _("Notice"),
    "permissions": _("Permissions"),
    "personal_data": _("Personal data"),
    "place_type": _("Place type"),
    "previous": _("Before"),
    "processing_kind": _("Processing kind"),
    "purpose_id": _("Purpose"),
    "purpose_version_id": _("Purpose version"),
    "purpose_version_ids": _("Purpose versions"),
    "raw_images": _("Raw images kept"),
    "reason": _("Reason"),
    "receipt_id": _("Receipt"),
    "recipients": _("Recipients"),
    "requests_not_imported": _("Requests not imported"),
    "requires_separate_consent": _("Needs separate consent"),
    "retain_until": _("Kept until"),
    "retention_days": _("Retention period (days)"),
    "role": _("Role"),
    "rows": _("Rows"),
    "severity": _("Severity"),
    "significant_effect": _("Results have significant effects"),
    "source": _("Source controller"),
    "status": _("Status"),
    "storage_mode": _("Storage mode"),
    "subjects": _("Subjects"),
    "templates_not_imported": _("Face templates not imported"),
    "to": _("To"),
    "user_id": _("Member"),
    "version": _("Version"),
}

EVENT_VERBS = {
    "answered": _("answered"),
    "attachment_added": _("attachment added"),
    "calibration_requested": _("calibration requested"),
    "cancelled": _("cancelled"),
    "change_noted": _("change noted"),
    "choice_recorded": _("choice recorded"),
    "closed": _("closed"),
    "completed": _("completed"),
    "compreface_key_bound": _("CompreFace key bound"),
    "consents_viewed": _("consents viewed"),
    "contract_downloaded": _("contract downloaded"),
    "deadline_changed": _("deadline changed"),
    "document_downloaded": _("document downloaded"),
    "enrollment_finished": _("enrollment finished"),
    "enrollment_queued": _("enrollment queued"),
    "expired": _("expired"),
    "finished": _("finished"),
    "grant_added": _("operator grant added"),
    "grant_removed": _("operator grant removed"),
    "imported": _("imported"),
    "incomplete": _("incomplete"),
    "index_checked": _("index checked"),
    "invited_elsewhere": _("invited to another organization"),
    "job_queued": _("job queued"),
    "joined_organization": _("joined the organization"),
    "left_organization": _("left the organization"),
    "lifted": _("lifted"),
    "locked": _("locked"),
    "notified": _("notified"),
    "objected_to_automated_decisions": _("objected to automated decisions"),
    "opened": _("opened"),
    "org_key_rewrapped": _("organization key re-wrapped"),
    "org_key_rotated": _("organization key rotated"),
    "package_deleted": _("package deleted"),
    "package_downloaded": _("package downloaded"),
    "package_expired": _("package deleted after its keeping time"),
    "package_link_issued": _("package link issued"),
    "password_changed": _("password changed"),
    "password_reset": _("password reset"),
    "password_reset_requested": _("password reset requested"),
    "personal_data_erased": _("personal data erased"),
    "placed": _("placed"),
    "purpose_attached": _("purpose attached"),
    "purpose_detached": _("purpose detached"),
    "raw_image_deleted": _("raw image deleted"),
    "receipt_downloaded": _("receipt downloaded"),
    "received": _("received"),
    "recovery_codes_regenerated": _("recovery codes regenerated"),
    "reenrollment_recorded": _("re-enrollment recorded"),
    "renamed": _("renamed"),
    "requested": _("requested"),
    "restored": _("restored"),
    "role_changed_elsewhere": _("role changed in another organization"),
    "second_factor_enrolled": _("second factor set up"),
    "second_factor_failed": _("second factor failed"),
    "second_factor_passed": _("second factor passed"),
    "second_factor_removed": _("second factor removed"),
    "second_factor_replaced": _("second factor replaced"),
    "second_factor_reset": _("second factor reset"),
    "settings_updated": _("settings updated"),
    "sign_in_failed": _("sign-in failed"),
    "signage_reattest_due": _("signage re-attestation due"),
    "signage_recorded": _("signage recorded"),
    "subject_biometrics_erased": _("biometric data erased"),
    "submitted": _("submitted"),
    "templates_exported": _("templates exported"),
    "termination_queued": _("termination queued"),
    "transfer_fetched": _("transfer fetched"),
    "translated": _("translated"),
    "versioned": _("new version"),
    "warning_mailed": _("warning mailed"),
    "warning_raised": _("warning raised"),
    "webhook_set": _("webhook set"),
}

EXTRA_THINGS = {
    "admin": _("Platform administration"),
    "device": _("Device"),
    "filing_document": _("Filing document"),
    "minor_data_rules": _("Rules for children's data"),
    "purpose_version": _("Purpose version"),
    "recipient": _("Recipient"),
    "transfer_basis": _("Legal basis of a transfer"),
}

# Values recorded as choice codes, shown by their name: by the detail key they appear under.
_CHOICES = {
    "channel": dict(Consent.Channel.choices) | dict(DataRequest.Channel.choices),
    "jurisdiction": dict(Deployment.Jurisdiction.choices),
    "language": dict(settings.LANGUAGES) | dict(Notice.Language.choices),
    "place_type": dict(Deployment.PlaceType.choices),
    "processing_kind": dict(Deployment.ProcessingKind.choices),
    "severity": dict(Incident.Severity.choices),
    "storage_mode": dict(Deployment.StorageMode.choices),
    "purpose_kind": dict(Purpose.Kind.choices),
    # The panel's lists (portal.panel.listing), as a "list viewed" event names them.
    "list": {
        "assessments": _("Impact assessments"),
        "complaints": _("Complaints"),
        "consents": _("Consents"),
        "deployments": _("Deployments"),
        "enrollments": _("Enrollments"),
        "filings": _("Filings"),
        "incidents": _("Incidents"),
        "jobs": _("Recognition jobs"),
        "notices": _("Notices"),
        "portability_imports": _("Portability imports"),
        "purposes": _("Purposes"),
        "requests": _("Data-subject requests"),
        "subjects": _("Subjects"),
    },
    # Each object's states; where two share a code they mean the same ("draft", "open").
    "status": dict(DataRequest.Status.choices)
    | dict(Assessment.Status.choices)
    | dict(Notice.Status.choices)
    | dict(Incident.Status.choices)
    | dict(Deployment.Status.choices),
}


def detail_label(key: str) -> str:
    """Return a detail key's label; an unknown key as words ("retry_count": "Retry count")."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label else key.replace("_", " ").strip().capitalize()


def choice_name(key: str, value) -> str | None:
    """Return the name of a choice code recorded under ``key``, or None when it is not one."""
    if not isinstance(value, str):
        return None
    name = _CHOICES.get(key, {}).get(value)
    return str(name) if name is not None else None
