"""Platform staff's read-only admin of jobs, enrollments and face data's metadata.

Encrypted templates, keys and images are never shown (tenants.admin_base hides binary and
secret fields); their rows are listed for their states and dates only.
"""

from django.apps import apps

from tenants.admin_base import register_read_only

register_read_only(
    apps.get_app_config("recognition").get_models(),
    personal=(
        "Enrollment",
        "FaceTemplate",
        "RawImage",
        "ProbeImage",
        "ProbeFace",
        "RecognitionResult",
        "RecognitionJob",
        "SubjectInteraction",
        "SubjectKey",
        "ShardResult",
        "CompreFaceBinding",
    ),
)
