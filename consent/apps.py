from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self):
        from consent.handlers import on_purpose_version_superseded
        from consent.selectors import pseudonyms_unknown
        from governance.signals import purpose_version_superseded
        from governance.subjects import register_pseudonym_check

        purpose_version_superseded.connect(
            on_purpose_version_superseded, dispatch_uid="consent.reconsent_on_superseded"
        )
        # R34: an incident may cite only the organization's own subjects.
        register_pseudonym_check(pseudonyms_unknown)
