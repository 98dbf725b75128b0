"""Filter fields shared by the API's list endpoints."""

from datetime import UTC, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

# Real time zones lie between UTC-12:00 and UTC+14:00; PostgreSQL refuses offsets past 15:59,
# and an unchecked one answered 500 (issue 15, found by fuzzing).
MAX_OFFSET = timedelta(hours=14)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time with a real time-zone offset, returned in UTC."""

    default_error_messages = {
        "offset": _("The time-zone offset must lie between -14:00 and +14:00."),
        "range": _("The date-time is out of range."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["range"], code="range") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """``IsoDateTimeFilter`` that refuses impossible offsets with a 400 instead of a 500."""

    field_class = UtcIsoDateTimeField
