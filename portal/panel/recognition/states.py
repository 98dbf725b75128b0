"""Recognition states as people read them: translated, and true to what happened since."""

from django.utils.translation import gettext as _

from recognition.models import Enrollment

# Template states that mean the enrollment's template is gone, whatever the enrollment's own
# status says: "Succeeded" alone would suggest the face is still enrolled.
REMOVED = {
    Enrollment.TemplateState.PURGED_ON_WITHDRAWAL,
    Enrollment.TemplateState.PURGED_CONSENT_ENDED,
    Enrollment.TemplateState.EXPIRED,
    Enrollment.TemplateState.ERASED,
    Enrollment.TemplateState.REPLACED,
    Enrollment.TemplateState.PURGED_STORAGE_ON_DEVICE,
}


def job_state_label(job) -> str:
    """Return "Queued (Waiting, 0/3 images)" in the page's language."""
    return _("%(status)s (%(phase)s, %(done)d/%(total)d images)") % {
        "status": job.get_status_display(),
        "phase": job.get_phase_display(),
        "done": job.images_done,
        "total": job.images_total,
    }


def enrollment_outcome(enrollment) -> str:
    """Return what an enrollment stands for now: once its template was removed, why."""
    if enrollment.template_state in REMOVED:
        return _("Template removed: %(state)s") % {"state": enrollment.get_template_state_display()}
    return enrollment.get_status_display()
