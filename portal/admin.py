"""Platform staff's read-only admin of the outbox's domain events: pending, failing or done.

Registered here rather than in outbox/ because the outbox sits on the ground floor beside
tenants, whose admin base it may not import (docs/architecture.md).
"""

from django.apps import apps

from tenants.admin_base import register_read_only

register_read_only(apps.get_app_config("outbox").get_models())
