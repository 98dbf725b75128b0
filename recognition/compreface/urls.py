"""CompreFace's paths under ``/api/v1/`` (mounted by portal.urls, see docs/compreface.md).

Trailing slashes are optional, as CompreFace's clients send both.
"""

from django.urls import re_path

from recognition.compreface.faces import (
    FaceImageView,
    FacesView,
    FaceView,
    SubjectsView,
    SubjectView,
)
from recognition.compreface.searches import (
    DetectView,
    RecognizeView,
    VerificationView,
    VerifyExampleView,
)

_ID = r"(?P<image_id>[^/]+)"

urlpatterns = [
    re_path(r"^recognition/faces/?$", FacesView.as_view(), name="faces"),
    re_path(rf"^recognition/faces/{_ID}/verify/?$", VerifyExampleView.as_view(), name="verify"),
    re_path(rf"^recognition/faces/{_ID}/img/?$", FaceImageView.as_view(), name="face-image"),
    re_path(rf"^recognition/faces/{_ID}/?$", FaceView.as_view(), name="face"),
    re_path(r"^recognition/recognize/?$", RecognizeView.as_view(), name="recognize"),
    re_path(r"^recognition/subjects/?$", SubjectsView.as_view(), name="subjects"),
    re_path(r"^recognition/subjects/(?P<subject>[^/]+)/?$", SubjectView.as_view(), name="subject"),
    re_path(r"^verification/verify/?$", VerificationView.as_view(), name="verification"),
    re_path(r"^detection/detect/?$", DetectView.as_view(), name="detect"),
    re_path(r"^static/[^/]+/images/[^/]+/?$", FaceImageView.as_view(), name="static-image"),
]
