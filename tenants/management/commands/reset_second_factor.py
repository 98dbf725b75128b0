from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from tenants.services.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator and recovery codes after they lost both (check who is "
        "asking first); they set up a new one at their next sign-in. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no account for {options['email']!r}")
        second_factor_reset(user=user, actor=Actor.system("reset_second_factor command"))
        self.stdout.write(f"second factor removed for {user.email}; they set up a new one next")
