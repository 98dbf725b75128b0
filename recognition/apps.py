from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"

    def ready(self):
        from governance.filing import register_stored_individuals_counter
        from recognition.selectors import stored_individuals_count

        # R35: distinct subjects whose face data is stored, for the filing threshold.
        register_stored_individuals_counter(stored_individuals_count)
