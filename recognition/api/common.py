"""Lookups the recognition API shares: ids in a request resolved within the organization."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consent.models import Subject
from governance.models import Deployment, Purpose
from tenants.references import reference_resolve


def resolve_targets(organization, data: dict) -> dict:
    """Return deployment, purpose and (optional) subject named in validated input.

    Raise UnknownReference (400, naming the field) for any that is not the organization's.
    """
    targets = {
        field: reference_resolve(model.objects.for_org(organization), data[field], field=field)
        for field, model in (("deployment", Deployment), ("purpose", Purpose))
    }
    for field in ("subject", "claimed_subject"):
        if data.get(field):
            targets[field] = reference_resolve(
                Subject.objects.for_org(organization), data[field], field=field, lookup="pseudonym"
            )
    return targets


@extend_schema_field(
    {
        "type": "object",
        "properties": {s: {"type": "integer"} for s in ("top", "right", "bottom", "left")},
        "required": ["top", "right", "bottom", "left"],
    }
)
class BoxField(serializers.Field):
    """A face box as {top, right, bottom, left} in the image's pixels."""

    def to_representation(self, value):
        top, right, bottom, left = value
        return {"top": top, "right": right, "bottom": bottom, "left": left}


class WorkErrorOutput(serializers.Serializer):
    """Why an enrollment or a job failed after it was accepted (202): the worker's stable code
    (intake's image codes, subject_erased, processing_suspended, no_face, ...) and a sentence."""

    code = serializers.CharField()
    message = serializers.CharField()
