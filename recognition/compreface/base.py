"""What every CompreFace-compatible view shares: its key, its errors, and waiting on the worker.

CompreFace answers in the request; the portal encodes on its workers (issue 15: no pixel is
decoded on a web thread, where a large photo would hold a thread other organizations need).
So a view queues the work through the same service the portal's API uses and then waits for
the worker, up to COMPREFACE_WAIT_SECONDS, reading the row's state: the web thread sleeps and
decodes nothing, and the request's byte and pixel budgets and the organization's upload slots
and caps apply as they do to every upload.
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from recognition.api.uploads import UploadParser, UploadSlotMixin
from recognition.compreface.auth import CompreFaceKeyAuthentication
from recognition.compreface.errors import (
    APP_ACCESS_DENIED,
    STILL_PROCESSING,
    UNDEFINED,
    CompreFaceError,
    exception_handler,
    from_application_error,
)
from recognition.models import CompreFaceBinding
from tenants.errors import ApplicationError
from tenants.principals import actor_for
from tenants.roles import ENROLL, VIEW_RESULTS
from tenants.scoping import request_organization

_POLL_SECONDS = 0.1
# Worker refusals that are a rule's, answered 422 as the request's own refusals are.
RULE_CODES = frozenset(
    {
        "consent_required",
        "storage_consent_required",
        "processing_suspended",
        "storage_on_device",
        "subject_erased",
        "deployment_inactive",
        "capacity_exceeded",
    }
)


def wait_finished(model, pk):
    """Return the row once its work is finished, or as it is when the wait runs out.

    Raise CompreFaceError (404) if the row is gone meanwhile (its organization was deleted).
    """
    deadline = time.monotonic() + settings.COMPREFACE_WAIT_SECONDS
    while True:
        row = model.objects.filter(pk=pk).first()
        if row is None:
            raise CompreFaceError(
                _("The work was removed before it finished."),
                code=UNDEFINED,
                status=404,
                reason="not_found",
            )
        if row.is_finished or time.monotonic() >= deadline:
            return row
        time.sleep(_POLL_SECONDS)


def work_failed(row) -> CompreFaceError:
    """Return the refusal for work the worker failed, with the worker's code and sentence."""
    status = 422 if row.error_code in RULE_CODES else 400
    return from_application_error(
        _Failed(row.error_message or row.error_code, code=row.error_code, status=status)
    )


def still_running(row, what: str) -> CompreFaceError:
    """Return the answer for work not finished within the wait: 503, come back later."""
    return CompreFaceError(
        _("The %(what)s %(id)s is still being processed; send the request again.")
        % {"what": what, "id": row.public_id},
        code=STILL_PROCESSING,
        status=503,
        reason="still_processing",
        headers={"Retry-After": "5"},
        extra={"id": str(row.public_id)},
    )


class _Failed(ApplicationError):
    def __init__(self, message, *, code, status):
        super().__init__(message, code=code)
        self.status = status


class CompreFaceView(APIView):
    """A CompreFace endpoint: x-api-key only, CompreFace's errors, outside the OpenAPI schema.

    The schema documents the portal's own API; this one is CompreFace's contract, documented in
    docs/compreface.md, so it is left out rather than described twice.
    """

    authentication_classes = [CompreFaceKeyAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [UploadParser, JSONParser]
    schema = None
    # portal.api.throttling and UploadSlotMixin read the action: an upload is a "create".
    rate_limit_classes = {"create": "upload"}
    uploads = False
    keyed = True

    # The per-deployment grant each method needs on the key's deployment: reading answers,
    # changing the collection. An owner who takes a grant away stops the key at once.
    grants = {"GET": VIEW_RESULTS, "POST": ENROLL, "PUT": ENROLL, "DELETE": ENROLL}

    def initial(self, request, *args, **kwargs):
        self.action = "create" if self.uploads and request.method == "POST" else "other"
        super().initial(request, *args, **kwargs)
        if self.keyed:
            # Resolves the key's organization and narrows row-level security to it.
            request_organization(request)
            grant = self.grants.get(request.method)
            if grant and not request.user.has_perm(grant, self.binding.deployment):
                raise CompreFaceError(
                    _("This key may no longer do this on its deployment."),
                    code=APP_ACCESS_DENIED,
                    status=403,
                    reason="forbidden",
                )

    def get_exception_handler(self):
        return exception_handler

    @property
    def binding(self) -> CompreFaceBinding:
        return self.request.auth.compreface_binding

    @property
    def organization(self):
        return request_organization(self.request)

    @property
    def actor(self):
        return actor_for(self.request)


class CompreFaceUploadView(UploadSlotMixin, CompreFaceView):
    """An endpoint that takes photos: it holds one of the organization's upload slots."""

    uploads = True
