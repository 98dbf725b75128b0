from django.apps import AppConfig


class DsrConfig(AppConfig):
    name = "dsr"
    verbose_name = "Data-subject requests"

    def ready(self):
        from consent.signals import data_request_filed
        from dsr.handlers import on_data_request_filed, on_enrollment_finished
        from recognition.signals import enrollment_finished

        data_request_filed.connect(on_data_request_filed, dispatch_uid="dsr.intake")
        enrollment_finished.connect(on_enrollment_finished, dispatch_uid="dsr.reenrollment")
