"""The audit log in words: who did what to which object, with links, and readable details.

The stored event stays as recorded (the chain hashes it); this only renders it for people. An
action reads as its object and what happened to it ("Assessment · signed off"); an action not
named here still reads, from its own words, rather than as a code.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.panel.audit_labels import EVENT_VERBS, EXTRA_THINGS, choice_name, detail_label
from tenants import roles

# The object of an action, by the part before the dot (and by target type).
THINGS = {
    "account": gettext_lazy("Account"),
    "api_key": gettext_lazy("API key"),
    "assessment": gettext_lazy("Impact assessment"),
    "audit": gettext_lazy("Audit log"),
    "complaint": gettext_lazy("Complaint"),
    "compliance": gettext_lazy("Compliance report"),
    "consent": gettext_lazy("Consent"),
    "consent_history": gettext_lazy("Consent history"),
    "data_request": gettext_lazy("Data-subject request"),
    "deployment": gettext_lazy("Deployment"),
    "dsr": gettext_lazy("Request settings"),
    "enrollment": gettext_lazy("Enrollment"),
    "entrustment": gettext_lazy("Entrustment contract"),
    "face_template": gettext_lazy("Face template"),
    "filing": gettext_lazy("CAC filing"),
    "filing_pack": gettext_lazy("Filing pack"),
    "filing_profile": gettext_lazy("Filing profile"),
    "gallery": gettext_lazy("Gallery"),
    "incident": gettext_lazy("Incident"),
    "invitation": gettext_lazy("Invitation"),
    "legal_hold": gettext_lazy("Legal hold"),
    "membership": gettext_lazy("Membership"),
    "minor_rules": gettext_lazy("Rules for children's data"),
    "notice": gettext_lazy("Notice"),
    "organization": gettext_lazy("Organization"),
    "portability": gettext_lazy("Portable copy"),
    "purpose": gettext_lazy("Purpose"),
    "recognition": gettext_lazy("Recognition"),
    "recognition_job": gettext_lazy("Recognition job"),
    "self_service": gettext_lazy("Self-service"),
    "signing_key": gettext_lazy("Receipt signing key"),
    "subject": gettext_lazy("Subject"),
    "termination": gettext_lazy("Termination"),
}

# What happened, by the part after the dot.
DONE = {
    "accepted": gettext_lazy("accepted"),
    "activated": gettext_lazy("activated"),
    "added": gettext_lazy("added"),
    "attachment_added": gettext_lazy("attachment added"),
    "calibrated": gettext_lazy("calibrated"),
    "checked": gettext_lazy("checked"),
    "created": gettext_lazy("created"),
    "declined": gettext_lazy("declined"),
    "deleted": gettext_lazy("deleted"),
    "downloaded": gettext_lazy("downloaded"),
    "enrolled": gettext_lazy("face enrolled"),
    "enrollment_failed": gettext_lazy("enrollment failed"),
    "enrollment_requested": gettext_lazy("enrollment requested"),
    "erased": gettext_lazy("erased"),
    "exported": gettext_lazy("exported"),
    "filed": gettext_lazy("filed"),
    "given": gettext_lazy("given"),
    "job_created": gettext_lazy("job started"),
    "job_failed": gettext_lazy("job failed"),
    "job_finished": gettext_lazy("job finished"),
    "job_preview_viewed": gettext_lazy("job photo preview viewed"),
    "listed": gettext_lazy("list viewed"),
    "marked_stale": gettext_lazy("marked stale"),
    "published": gettext_lazy("published"),
    "purged": gettext_lazy("purged"),
    "removed": gettext_lazy("removed"),
    "restricted": gettext_lazy("restricted"),
    "result_reviewed": gettext_lazy("result reviewed"),
    "retired": gettext_lazy("retired"),
    "revoked": gettext_lazy("revoked"),
    "role_changed": gettext_lazy("role changed"),
    "rotated": gettext_lazy("rotated"),
    "saved": gettext_lazy("saved"),
    "signed_in": gettext_lazy("signed in"),
    "signed_off": gettext_lazy("signed off"),
    "suspended": gettext_lazy("suspended"),
    "template_deleted": gettext_lazy("template deleted"),
    "updated": gettext_lazy("updated"),
    "viewed": gettext_lazy("viewed"),
    "withdrawn": gettext_lazy("withdrawn"),
}

# Where an object of a target type is shown in the panel: (URL name, by "pk" or "public_id").
LINKS = {
    "assessment": "gov_assessment_detail",
    "complaint": "gov_complaint_detail",
    "data_request": "dsr_detail",
    "deployment": "gov_deployment_detail",
    "incident": "gov_incident_detail",
    "notice": "gov_notice_detail",
    "purpose": "gov_purpose_detail",
}
UUID_LINKS = {"recognition_job": "rec_job"}
# Audit details that are ids of objects the panel shows.
DETAIL_LINKS = {
    "deployment_id": "gov_deployment_detail",
    "purpose_id": "gov_purpose_detail",
    "notice_id": "gov_notice_detail",
    "assessment_id": "gov_assessment_detail",
}


@dataclass(frozen=True)
class RenderedEvent:
    event: object
    actor: str
    what: str
    target: str
    target_url: str
    subject_url: str
    details: list  # [(label, text, url)]


def _words(code: str) -> str:
    return code.replace("_", " ").strip().capitalize()


def actor_text(event) -> str:
    """Return who acted, without repeating the kind ("Data subject", not "Data subject: data
    subject"); a person's label is their address, a key's its name and prefix."""
    label = (event.actor_label or "").strip()
    kind = event.actor_type
    if kind == "user":
        return label or _("A staff member")
    if kind == "api_key":
        return _("API key %(name)s") % {"name": label} if label else _("An API key")
    if kind == "subject":
        if label and label.lower() != "data subject":
            return _("Data subject (%(how)s)") % {"how": label}
        return _("Data subject")
    if label and label.lower() not in ("system", ""):
        return _("System (%(what)s)") % {"what": label}
    return _("System")


def action_text(action: str) -> str:
    """Return the action as its object and what happened to it, in the page's language."""
    thing, _dot, done = action.partition(".")
    noun = THINGS.get(thing) or EXTRA_THINGS.get(thing, _words(thing))
    verb = DONE.get(done) or EVENT_VERBS.get(done, _words(done).lower())
    return _("%(thing)s · %(done)s") % {"thing": noun, "done": verb} if done else str(noun)


def _reverse(name: str, org_slug: str, **kwargs) -> str:
    try:
        return reverse(f"panel:{name}", kwargs={"org_slug": org_slug, **kwargs})
    except NoReverseMatch:
        return ""


def _target_url(event, org_slug: str) -> str:
    target_id = str(event.target_id or "")
    if not target_id:
        return ""
    if event.target_type in LINKS and target_id.isdigit():
        return _reverse(LINKS[event.target_type], org_slug, pk=int(target_id))
    if event.target_type in UUID_LINKS:
        return _reverse(UUID_LINKS[event.target_type], org_slug, public_id=target_id)
    return ""


def _value_text(value, key: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return (
            "; ".join(f"{detail_label(str(k))}: {_value_text(v, str(k))}" for k, v in value.items())
            or "—"
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v, key) for v in value) or "—"
    return choice_name(key, value) or str(value)


def details_rows(event, org_slug: str) -> list[tuple[str, str, str]]:
    """Return the details as (label, text, link) rows, ids of panel objects linked."""
    rows = []
    for key, value in (event.details or {}).items():
        url = ""
        if key in DETAIL_LINKS and isinstance(value, int):
            url = _reverse(DETAIL_LINKS[key], org_slug, pk=value)
        rows.append((detail_label(str(key)), _value_text(value, str(key)), url))
    return rows


def audit_rendered(events, request) -> list[RenderedEvent]:
    """Render a page of events for the request's organization and role.

    A subject is linked only for roles that may open the subject page; the pseudonym is shown
    to everyone who reads the log, as before.
    """
    slug = request.organization.slug
    may_see_subjects = request.user.has_perm(roles.VIEW_SUBJECTS, request.organization)
    rendered = []
    for event in events:
        thing = THINGS.get(event.target_type) or EXTRA_THINGS.get(
            event.target_type, _words(event.target_type or "")
        )
        target = f"{thing} {event.target_id}".strip() if event.target_type else ""
        subject_url = (
            _reverse("subject_detail", slug, pseudonym=event.subject_pseudonym)
            if may_see_subjects and event.subject_pseudonym
            else ""
        )
        rendered.append(
            RenderedEvent(
                event=event,
                actor=actor_text(event),
                what=action_text(event.action),
                target=target,
                target_url=_target_url(event, slug),
                subject_url=subject_url,
                details=details_rows(event, slug),
            )
        )
    return rendered
