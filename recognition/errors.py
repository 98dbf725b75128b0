"""Recognition's domain errors: ApplicationError subclasses, so the API and panel map them once."""

from tenants.errors import ApplicationError, RuleViolation


class ImageRefused(ApplicationError):
    """An upload refused by intake (recognition.intake.ImageRejected), with its code."""

    status = 400
    code = "image_rejected"

    @classmethod
    def from_rejection(cls, exc, *, index: int | None = None) -> "ImageRefused":
        details = {"image_index": index} if index is not None else None
        return cls(exc.message, code=exc.code, details=details)


class EnrollmentRefused(RuleViolation):
    """Enrollment is not allowed for this subject, deployment and purpose (R12, R19)."""

    code = "enrollment_refused"


class JobRefused(RuleViolation):
    """A recognition job is not allowed (inactive deployment or purpose, R2, R41)."""

    code = "job_refused"
