"""What one request and one organization may ask of the recognition workers (issue 15).

Eight jobs of twenty 40-megapixel PNGs held every web thread for 80 s and made another
organization's GET wait 75 s. Now a request's photos are checked from their headers only
(``inspect_image``: no pixel is decoded on a web thread; the worker decodes), all of them
together within a byte and a pixel budget (413), and an organization has at most so many jobs,
and so many enrollments, queued or running at once (429 with Retry-After): one organization can
neither hold the web threads nor fill the workers' queue ahead of everyone else.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recognition.errors import ImageRefused, OrganizationBusy, UploadBudgetExceeded
from recognition.intake import (
    BudgetExceeded,
    ImageHeader,
    ImageRejected,
    inspect_image,
    request_budget_check,
)
from recognition.models import Enrollment, RecognitionJob
from tenants.models import Organization

logger = logging.getLogger(__name__)

_ACTIVE = (RecognitionJob.Status.QUEUED, RecognitionJob.Status.RUNNING)
# Per kind of work: the setting that caps it, its name in the refusal, the refusal's code.
_CAPS = {
    RecognitionJob: (
        "RECOGNITION_MAX_ACTIVE_JOBS",
        gettext_lazy("recognition jobs"),
        "too_many_active_jobs",
    ),
    Enrollment: (
        "RECOGNITION_MAX_ACTIVE_ENROLLMENTS",
        gettext_lazy("enrollments"),
        "too_many_active_enrollments",
    ),
}


def uploads_admit(
    *, organization, work, images: list[tuple[bytes, str | None]], indexed: bool = True
) -> list[ImageHeader]:
    """Return each image's header once every check a web thread makes has passed.

    Raise ImageRefused (400; ``details.image_index`` when ``indexed``) for an image intake
    refuses, UploadBudgetExceeded (413) when the images together pass the request's byte or
    pixel budget, OrganizationBusy (429) when the organization already has its cap of ``work``
    (RecognitionJob or Enrollment) queued or running. Decodes nothing.
    """
    headers = []
    for index, (data, content_type) in enumerate(images):
        try:
            headers.append(inspect_image(data, claimed_type=content_type))
        except ImageRejected as exc:
            raise ImageRefused.from_rejection(exc, index=index if indexed else None) from None
    try:
        request_budget_check(
            headers,
            max_bytes=settings.RECOGNITION_REQUEST_MAX_BYTES,
            max_pixels=settings.RECOGNITION_REQUEST_MAX_PIXELS,
        )
    except BudgetExceeded as exc:
        raise UploadBudgetExceeded.from_budget(exc) from None
    # Early, without a lock: a refused request writes no file. active_work_claim decides.
    _active_check(organization, work)
    return headers


def upload_length_check(content_length) -> None:
    """Raise UploadBudgetExceeded (413) when a request's declared Content-Length alone is over
    the request's byte budget, before its body is read into memory. The multipart envelope
    gets 64 KB on top of the budget; the exact check is ``uploads_admit``'s."""
    try:
        length = int(content_length or 0)
    except ValueError:
        return
    limit = settings.RECOGNITION_REQUEST_MAX_BYTES
    if length > limit + 64 * 1024:
        raise UploadBudgetExceeded.from_budget(
            BudgetExceeded("bytes", limit=limit, requested=length)
        )


def upload_slot_take(*, organization) -> tuple[str, str] | None:
    """Take one of the organization's upload slots for the request's lifetime; return it.

    Each slot is a cache key set if absent (atomic in Redis), so an organization has at most
    RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION uploads in the web tier at once, whatever the
    number of its keys and clients: the other web threads stay free for everyone else. A slot
    of a process that died expires after RECOGNITION_UPLOAD_SLOT_SECONDS. Raise OrganizationBusy
    (429, Retry-After 1) when all are taken; return None (no slot, let through) when the cache
    does not answer, as the rate limits do.
    """
    limit = settings.RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION
    token = uuid.uuid4().hex
    try:
        for slot in range(limit):
            key = f"upload-slot:{organization.pk}:{slot}"
            if cache.add(key, token, timeout=settings.RECOGNITION_UPLOAD_SLOT_SECONDS):
                return key, token
    except Exception:
        logger.warning("upload slots unavailable; upload let through", exc_info=True)
        return None
    raise OrganizationBusy(
        _(
            "This organization already has %(limit)d uploads in progress; at most %(limit)d may "
            "be sent at once. Send the next when one has been answered."
        )
        % {"limit": limit},
        code="too_many_uploads",
        details={"limit": limit, "active": limit},
        retry_after=1,
    )


def upload_slot_release(slot: tuple[str, str] | None) -> None:
    """Give back a slot from upload_slot_take, unless it expired and another request took it."""
    if slot is None:
        return
    key, token = slot
    try:
        if cache.get(key) == token:
            cache.delete(key)
    except Exception:
        logger.warning("upload slot not released; it expires by itself", exc_info=True)


def active_work_claim(*, organization, work) -> None:
    """Raise OrganizationBusy unless the organization is under its cap of ``work`` queued or
    running. Call in the transaction that stores the new job or enrollment: the organization's
    row is locked first, so concurrent requests count one after another and cannot all pass a
    count taken at the same moment."""
    list(Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk"))
    _active_check(organization, work)


def _active_check(organization, work) -> None:
    setting, what, code = _CAPS[work]
    limit = getattr(settings, setting)
    active = work.objects.filter(organization=organization, status__in=_ACTIVE).count()
    if active >= limit:
        raise OrganizationBusy(
            _(
                "This organization has %(active)d %(what)s queued or running; at most %(limit)d "
                "may be at once. Try again when some have finished."
            )
            % {"active": active, "what": what, "limit": limit},
            code=code,
            details={"limit": limit, "active": active},
            retry_after=settings.RECOGNITION_BUSY_RETRY_AFTER_SECONDS,
        )
