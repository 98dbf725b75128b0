"""The demo organization, built through the same services as real use (the seed_demo command).

Every write goes through a service, so the audit trail tells the demo's story like a real one.
Each step finds what an earlier run made (by slug, name, title or reference) and skips it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from consent.receipts import public_url
from governance.gates import deployment_unmet
from portal.demo.consent import seed_consent
from portal.demo.governance import GovernanceDemo, seed_governance
from portal.demo.organization import (
    DEMO_PASSWORD,
    DEMO_SLUG,
    DEMO_USERS,
    demo_members,
    demo_organization,
)

__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "DEMO_USERS", "Demo", "demo_seed"]


@dataclass(frozen=True)
class Demo:
    organization: object
    governance: GovernanceDemo

    def notice_url(self) -> str:
        """Return the public notice of the active deployment's purpose, with its consent form."""
        path = reverse(
            "consent:notice",
            kwargs={
                "org_slug": self.organization.slug,
                "purpose_id": self.governance.staff_access.pk,
            },
        )
        return public_url(f"{path}?d={self.governance.headquarters.pk}")

    def deployment_url(self) -> str:
        """Return the page the headquarters sign's QR code opens."""
        return public_url(
            reverse(
                "consent:deployment",
                kwargs={
                    "org_slug": self.organization.slug,
                    "deployment_id": self.governance.headquarters.pk,
                },
            )
        )

    def self_service_url(self) -> str:
        """Return the pages where a person signs in to see and withdraw their consents."""
        return public_url(reverse("consent:me"))

    def deployments(self) -> list[tuple[object, list[str]]]:
        """Return each demo deployment with the rules it does not meet."""
        rows = [
            self.governance.headquarters,
            self.governance.visitor_kiosk,
            self.governance.washroom,
        ]
        return [(d, [u["rule"] for u in deployment_unmet(d)]) for d in rows]


@transaction.atomic
def demo_seed(*, log) -> Demo:
    """Build whatever of the demo is missing, all or nothing; ``log`` receives one line per step."""
    organization = demo_organization(log=log)
    members = demo_members(organization=organization, log=log)
    governance = seed_governance(organization=organization, members=members, log=log)
    seed_consent(organization=organization, members=members, demo=governance, log=log)
    return Demo(organization=organization, governance=governance)
