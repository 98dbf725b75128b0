"""What the recognition API's upload operations share: their parser, their route class, and
the organization's upload slots they hold while they run."""

from rest_framework.parsers import MultiPartParser

from recognition.services.quotas import (
    upload_length_check,
    upload_slot_release,
    upload_slot_take,
)

# portal.api.throttling counts these operations apart from other writes (tenants.rate_limits).
UPLOAD_RATE_CLASSES = {"create": "upload"}


class UploadParser(MultiPartParser):
    """multipart/form-data, refused with 413 before it is read when the request's declared
    length alone is over the request's byte budget: twenty 10 MB photos are not held in a web
    process's memory only to be refused after."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            upload_length_check(request.META.get("CONTENT_LENGTH"))
        return super().parse(stream, media_type, parser_context)


class UploadSlotMixin:
    """Hold one of the organization's upload slots while an upload runs (issue 15).

    Taken after authentication, permissions and rate limits and before the body is read, so an
    organization over its slots is refused at once (429) without its photos being received;
    given back however the request ends.
    """

    _upload_slot = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) in UPLOAD_RATE_CLASSES:
            self._upload_slot = upload_slot_take(organization=self.organization)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            upload_slot_release(self._upload_slot)
            self._upload_slot = None
