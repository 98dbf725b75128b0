"""Governance models, one module per concept."""

from governance.models.assessments import Assessment, AssessmentAttachment
from governance.models.complaints import Complaint
from governance.models.deployments import Deployment, DeploymentPurpose, Device
from governance.models.entrustment import Entrustment
from governance.models.filing_documents import FilingDocument
from governance.models.filings import Filing, FilingAlert, FilingProfile
from governance.models.incidents import Incident
from governance.models.notices import Notice
from governance.models.purposes import Purpose, PurposeVersion
from governance.models.transfers import Location, Recipient, TransferBasis, in_prc

__all__ = [
    "Assessment",
    "AssessmentAttachment",
    "Complaint",
    "Deployment",
    "DeploymentPurpose",
    "Device",
    "Entrustment",
    "Filing",
    "FilingDocument",
    "FilingAlert",
    "FilingProfile",
    "Incident",
    "Location",
    "Notice",
    "Purpose",
    "PurposeVersion",
    "Recipient",
    "TransferBasis",
    "in_prc",
]
