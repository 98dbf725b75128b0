"""Every governance write. Panel, API, tasks and commands call these."""

from governance.services.assessments import (
    assessment_attach,
    assessment_create,
    assessment_delete,
    assessment_reassess,
    assessment_sign_off,
    assessment_update,
)
from governance.services.common import assessments_mark_stale
from governance.services.deployments import (
    deployment_activate,
    deployment_attach_purpose,
    deployment_create,
    deployment_detach_purpose,
    deployment_grant_operator,
    deployment_retire,
    deployment_revoke_operator,
    deployment_set_signage,
    deployment_suspend,
    deployment_update,
    device_add,
    device_remove,
)
from governance.services.incidents import (
    incident_close,
    incident_create,
    incident_record_notification,
    incident_update,
)
from governance.services.notices import (
    notice_create,
    notice_delete,
    notice_publish,
    notice_suggested_content,
    notice_update,
)
from governance.services.purposes import purpose_create, purpose_delete, purpose_update
from governance.services.signage import deployments_flag_stale_signage

__all__ = [
    "assessment_attach",
    "assessment_create",
    "assessment_delete",
    "assessment_reassess",
    "assessment_sign_off",
    "assessment_update",
    "assessments_mark_stale",
    "deployment_activate",
    "deployment_attach_purpose",
    "deployment_create",
    "deployment_detach_purpose",
    "deployment_grant_operator",
    "deployment_retire",
    "deployment_revoke_operator",
    "deployment_set_signage",
    "deployment_suspend",
    "deployment_update",
    "deployments_flag_stale_signage",
    "device_add",
    "device_remove",
    "incident_close",
    "incident_create",
    "incident_record_notification",
    "incident_update",
    "notice_create",
    "notice_delete",
    "notice_publish",
    "notice_suggested_content",
    "notice_update",
    "purpose_create",
    "purpose_delete",
    "purpose_update",
]
