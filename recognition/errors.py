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


class UploadBudgetExceeded(ApplicationError):
    """One request's images together hold more bytes or decoded pixels than its budget (413)."""

    status = 413
    code = "upload_budget_exceeded"

    @classmethod
    def from_budget(cls, exc) -> "UploadBudgetExceeded":
        """Build from recognition.intake.BudgetExceeded: its code, sentence and figures."""
        details = {"budget": exc.budget, "limit": exc.limit, "requested": exc.requested}
        return cls(exc.message, code=exc.code, details=details)


class OrganizationBusy(ApplicationError):
    """The organization has its cap of jobs or enrollments queued or running (429).

    ``retry_after`` (seconds) goes out as the Retry-After header: work finishes by itself.
    """

    status = 429
    code = "too_many_active"

    def __init__(self, message: str, *, code: str | None = None, details=None, retry_after: int):
        super().__init__(message, code=code, details=details)
        self.retry_after = retry_after
