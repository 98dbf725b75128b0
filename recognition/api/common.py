"""Lookups the recognition API shares: ids in a request resolved within the organization."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consent.selectors import subject_for_org
from governance.models import Deployment, Purpose
from tenants.errors import NotFound


def scoped(model, organization, pk, label: str):
    """Return the organization's row with this id, or raise NotFound (never another's)."""
    row = model.objects.for_org(organization).filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No such {label} in this organization.")
    return row


def resolve_targets(organization, data: dict) -> dict:
    """Return deployment, purpose and (optional) subject named in validated input."""
    targets = {
        "deployment": scoped(Deployment, organization, data["deployment"], "deployment"),
        "purpose": scoped(Purpose, organization, data["purpose"], "purpose"),
    }
    for field in ("subject", "claimed_subject"):
        if data.get(field):
            subject = subject_for_org(organization=organization, pseudonym=data[field])
            if subject is None:
                raise NotFound("No such subject in this organization.")
            targets[field] = subject
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
