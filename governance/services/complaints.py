"""Complaints anyone may file about a deployment (R52): intake, routing to the DPOs, answers."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from governance.models import Complaint, Deployment
from governance.workdays import add_workdays
from tenants.alerts import alert_send
from tenants.counters import window_hit
from tenants.errors import ApplicationError, Conflict

# FRM Art. 16-17 set no answer period; PIPL Art. 50 asks requests to be handled promptly, and
# the portal gives complaints the 15 working days it gives people's requests.
ANSWER_WORKDAYS = 15
MESSAGE_MAX = 5000
ANSWER_MAX = 5000


class ComplaintsPaced(ApplicationError):
    """Too many complaints from one address in the pacing window."""

    status = 429
    code = "throttled"


def _pace(ip: str | None) -> None:
    """Raise ComplaintsPaced past the per-address limit; count this attempt otherwise.

    A public form without sign-in is an easy way to flood the DPOs' inbox: each address may
    file COMPLAINT_PER_IP complaints per COMPLAINT_WINDOW_SECONDS.
    """
    if not ip:
        return
    limit = getattr(settings, "COMPLAINT_PER_IP", 5)
    window = getattr(settings, "COMPLAINT_WINDOW_SECONDS", 3600)
    count = window_hit(f"governance:complaint-ip:{ip}", window)
    if count is None:
        # A complaint must not be lost to a stalled cache (as the API's throttle does).
        return
    if count > limit:
        minutes = max(1, window // 60)
        raise ComplaintsPaced(
            _("Too many complaints from this address. Please try again in %(minutes)d minutes.")
            % {"minutes": minutes},
            details={"retry_after": window},
        )


def _audit(complaint: Complaint, actor: Actor, action: str, **details) -> None:
    audit_record(
        organization_id=complaint.organization_id,
        actor=actor,
        action=action,
        target_type="complaint",
        target_id=complaint.pk,
        details={"deployment_id": complaint.deployment_id, **details},
    )


def _mail_dpos(complaint: Complaint) -> None:
    def render():
        subject = _("New complaint about %(site)s") % {"site": complaint.deployment.name}
        body = _(
            "A complaint about face recognition at %(site)s was filed on its public page.\n\n"
            "%(message)s\n\nAnswer it by %(deadline)s (complaint %(id)s, in the panel's "
            "Complaints page)."
        ) % {
            "site": complaint.deployment.name,
            "message": complaint.message,
            "deadline": complaint.deadline.isoformat(),
            "id": complaint.pk,
        }
        return subject, body

    alert_send(organization=complaint.deployment.organization, render=render)


def complaint_file(
    *,
    deployment: Deployment,
    message: str,
    contact_name: str = "",
    contact_email: str = "",
    ip: str | None = None,
    request_id: str = "",
) -> Complaint:
    """Store a complaint about ``deployment``, audit it and mail the DPOs and owners.

    Raise ApplicationError for an empty or too long message, a retired deployment, or
    ComplaintsPaced when the address filed too many complaints lately.
    """
    message = (message or "").strip()
    if not message:
        raise ApplicationError(_("Describe your complaint."), code="missing_fields")
    if len(message) > MESSAGE_MAX:
        raise ApplicationError(
            _("The complaint is longer than %(n)d characters.") % {"n": MESSAGE_MAX},
            code="too_long",
        )
    if deployment.status == Deployment.Status.RETIRED:
        raise Conflict(_("This site no longer uses face recognition."), code="retired")
    _pace(ip)
    now = timezone.now()
    due = add_workdays(timezone.localdate(now), ANSWER_WORKDAYS)
    actor = Actor(kind=Actor.SYSTEM, label="public complaint form", request_id=request_id, ip=ip)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            organization_id=deployment.organization_id,
            deployment=deployment,
            message=message,
            contact_name=(contact_name or "").strip()[:120],
            contact_email=(contact_email or "").strip()[:254],
            received_at=now,
            deadline=due.day,
            deadline_estimated=due.estimated,
        )
        # The text stays in the complaint row; the trail records that one arrived and when.
        _audit(complaint, actor, "complaint.received", deadline=due.day.isoformat())
        transaction.on_commit(lambda: _mail_dpos(complaint))
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, actor: Actor, answer: str, close: bool = False):
    """Record the organization's answer (and close the complaint when ``close``); audit it.

    Raise ApplicationError for an empty answer or a complaint already closed.
    """
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("Write the answer."), code="missing_fields")
    if len(answer) > ANSWER_MAX:
        raise ApplicationError(
            _("The answer is longer than %(n)d characters.") % {"n": ANSWER_MAX},
            code="too_long",
        )
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.state == Complaint.State.CLOSED:
        raise Conflict(_("This complaint is closed."), code="closed")
    now = timezone.now()
    complaint.answer = answer
    complaint.answered_at = now
    complaint.answered_by_label = actor.label[:200]
    complaint.state = Complaint.State.CLOSED if close else Complaint.State.ANSWERED
    if close:
        complaint.closed_at = now
    complaint.save()
    _audit(
        complaint,
        actor,
        "complaint.answered",
        closed=close,
        late=complaint.deadline < timezone.localdate(now),
    )
    if complaint.contact_email:
        transaction.on_commit(lambda: _mail_answer(complaint))
    return complaint


def _mail_answer(complaint: Complaint) -> None:
    send_mail(
        _("Answer to your complaint about %(site)s") % {"site": complaint.deployment.local_name},
        complaint.answer,
        None,
        [complaint.contact_email],
        fail_silently=True,
    )


@transaction.atomic
def complaints_personal_data_erase(*, organization, actor: Actor) -> int:
    """Blank every complaint's name, e-mail, message and answer; return how many changed.

    For the end of the organization's entrustment (R51): the free text may name the
    complainant. The rows stay, with their dates and states, as a record that each complaint
    was handled. Idempotent.
    """
    personal = Complaint.objects.for_org(organization).exclude(
        contact_name="", contact_email="", message="", answer=""
    )
    changed = personal.update(contact_name="", contact_email="", message="", answer="")
    if changed:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action="complaint.personal_data_erased",
            target_type="organization",
            target_id=organization.pk,
            details={"complaints": changed},
        )
    return changed
