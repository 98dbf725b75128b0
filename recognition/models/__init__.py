"""Biometric records: keys, templates, enrollments, recognition jobs, results, webhooks."""

from recognition.models.calibrations import GalleryCalibration
from recognition.models.compreface import CompreFaceBinding
from recognition.models.galleries import GalleryChange, GalleryVersion
from recognition.models.interactions import SubjectInteraction
from recognition.models.jobs import (
    ProbeFace,
    ProbeImage,
    RecognitionJob,
    RecognitionResult,
    ShardResult,
)
from recognition.models.keys import OrganizationKey, SubjectKey
from recognition.models.templates import Enrollment, FaceTemplate, RawImage
from recognition.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "CompreFaceBinding",
    "Enrollment",
    "FaceTemplate",
    "GalleryCalibration",
    "GalleryChange",
    "GalleryVersion",
    "OrganizationKey",
    "ProbeFace",
    "ProbeImage",
    "RawImage",
    "RecognitionJob",
    "RecognitionResult",
    "ShardResult",
    "SubjectInteraction",
    "SubjectKey",
    "WebhookDelivery",
    "WebhookEndpoint",
]
