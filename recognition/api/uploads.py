"""What the recognition API's upload operations share: their parser and their route class."""

from rest_framework.parsers import MultiPartParser

from recognition.services.quotas import upload_length_check

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
