"""Governance models, one module per concept."""

from governance.models.assessments import Assessment, AssessmentAttachment
from governance.models.deployments import Deployment, DeploymentPurpose, Device
from governance.models.filings import Filing, FilingAlert, FilingProfile
from governance.models.incidents import Incident
from governance.models.notices import Notice
from governance.models.purposes import Purpose, PurposeVersion

__all__ = [
    "Assessment",
    "AssessmentAttachment",
    "Deployment",
    "DeploymentPurpose",
    "Device",
    "Filing",
    "FilingAlert",
    "FilingProfile",
    "Incident",
    "Notice",
    "Purpose",
    "PurposeVersion",
]
