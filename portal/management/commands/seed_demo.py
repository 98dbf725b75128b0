from django.core.management.base import BaseCommand

from audit.actors import Actor
from tenants.models import Organization
from tenants.roles import Role
from tenants.services import membership_add, organization_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-password-2025"  # noqa: S105 - the demo's published login, not a secret
DEMO_USERS = {
    Role.OWNER: "owner@demo.example",
    Role.DPO: "dpo@demo.example",
    Role.OPERATOR: "operator@demo.example",
    Role.AUDITOR: "auditor@demo.example",
}


class Command(BaseCommand):
    help = "Build the demo organization with one user per role (idempotent)."

    def handle(self, *args, **options):
        actor = Actor.system("seed_demo")
        org = Organization.objects.filter(slug=DEMO_SLUG).first()
        if org is None:
            org = organization_create(
                name="Demo Campus Security Ltd.",
                slug=DEMO_SLUG,
                owner_email=DEMO_USERS[Role.OWNER],
                owner_password=DEMO_PASSWORD,
                actor=actor,
                jurisdiction=Organization.Jurisdiction.CN,
                unified_social_credit_code="91310000MA1FL0000X",
                address="100 Demo Road, Pudong New Area, Shanghai",
                province="Shanghai",
                contact_name="Li Wei",
                contact_email="contact@demo.example",
                contact_phone="+86 21 5555 0100",
                pi_contact_name="Zhang Min",
                pi_contact_email="dpo@demo.example",
            )
            for role, email in DEMO_USERS.items():
                if role != Role.OWNER:
                    membership_add(
                        organization=org,
                        actor=actor,
                        email=email,
                        role=role,
                        password=DEMO_PASSWORD,
                    )
            self.stdout.write(f"created demo organization {org.slug}")
        else:
            self.stdout.write(f"demo organization {org.slug} already exists")
        for role, email in DEMO_USERS.items():
            self.stdout.write(f"  {role:<9} {email} / {DEMO_PASSWORD}")
