from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"

    def ready(self):
        from django.db.models.signals import post_save

        from consent.models import ConsentEvent
        from consent.signals import consent_state_changed, consent_withdrawn
        from governance.filing import register_stored_individuals_counter
        from recognition.handlers import (
            on_consent_event_saved,
            on_consent_state_changed,
            on_consent_withdrawn,
        )
        from recognition.selectors import stored_individuals_count

        consent_withdrawn.connect(
            on_consent_withdrawn, dispatch_uid="recognition.purge_on_withdrawal"
        )
        consent_state_changed.connect(
            on_consent_state_changed, dispatch_uid="recognition.purge_on_state_change"
        )
        post_save.connect(
            on_consent_event_saved, sender=ConsentEvent, dispatch_uid="recognition.regrant"
        )
        # R35: distinct subjects whose face data is stored, for the filing threshold.
        register_stored_individuals_counter(stored_individuals_count)
