from django.conf import settings
from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = (
        "Build the demo organization through the services: members, deployments, notices, an "
        "impact assessment, subjects and consents (idempotent: a second run changes nothing)."
    )

    def handle(self, *args, **options):
        demo = demo_seed(log=self.stdout.write)
        self.stdout.write("")
        for deployment, unmet in demo.deployments():
            blocked = f", unmet: {', '.join(unmet)}" if unmet else ""
            self.stdout.write(f"  {deployment.name}: {deployment.status}{blocked}")
        self.stdout.write(f"notice and consent form: {demo.notice_url()}")
        self.stdout.write(f"entrance sign page:      {demo.deployment_url()}")
        self.stdout.write(
            f"self-service pages:      {demo.self_service_url()} (sign in as e.g. "
            "wang.fang@example.test; the e-mailed code shows on the server console)"
        )
        roles = settings.SECOND_FACTOR_ROLES
        self.stdout.write(
            f"second factor: asked of {', '.join(roles)} (set up at the first sign-in)"
            if roles
            else "second factor: asked of no one here (SECOND_FACTOR_ROLES); anyone can set "
            "one up under 'Second factor' in the panel"
        )
        self.stdout.write("logins:")
        for role, email in DEMO_USERS.items():
            self.stdout.write(f"  {role:<9} {email} / {DEMO_PASSWORD}")
