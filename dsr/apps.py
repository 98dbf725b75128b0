from django.apps import AppConfig


class DsrConfig(AppConfig):
    name = "dsr"
    verbose_name = "Data-subject requests"

    def ready(self):
        from dsr.handlers import on_enrollment_finished
        from recognition.signals import enrollment_finished

        enrollment_finished.connect(on_enrollment_finished, dispatch_uid="dsr.reenrollment")
