"""Filter fields shared by the API's list endpoints."""

from datetime import UTC, datetime, timedelta

import django_filters
from django.core.exceptions import ValidationError as FieldValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

# Real time zones lie between UTC-12:00 and UTC+14:00; PostgreSQL refuses offsets past 15:59,
# and an unchecked one answered 500 (issue 15, found by fuzzing). The schema says so too.
MAX_OFFSET = timedelta(hours=14)
OFFSET_PATTERN = (
    r"[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"([Zz]|[+-](0[0-9]|1[0-3]):?[0-5][0-9]|[+-]14:?00)?$"
)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time with a real time-zone offset, returned in UTC."""

    default_error_messages = {
        "offset": _("The time-zone offset must lie between -14:00 and +14:00."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise FieldValidationError(self.error_messages["offset"], code="offset")
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            # Within a day of year 1 or 9999: as a bound, the earliest or latest instant.
            return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "pattern": OFFSET_PATTERN,
        "description": "ISO 8601; a time-zone offset between -14:00 and +14:00",
    }
)
class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """``IsoDateTimeFilter`` that refuses impossible offsets with a 400 instead of a 500."""

    field_class = UtcIsoDateTimeField
