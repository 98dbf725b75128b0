from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self):
        from consent.handlers import on_purpose_version_superseded
        from governance.signals import purpose_version_superseded

        purpose_version_superseded.connect(
            on_purpose_version_superseded, dispatch_uid="consent.reconsent_on_superseded"
        )
