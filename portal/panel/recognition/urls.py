"""Panel pages for recognition, mounted under /o/<org_slug>/ by portal.panel.urls."""

from django.urls import path

from portal.panel.recognition import accuracy, enrollment_list, pages, subject_picker

urlpatterns = [
    path("recognition/enroll/", pages.enroll, name="rec_enroll"),
    path(
        "recognition/subject-search/",
        subject_picker.subject_search,
        name="rec_subject_search",
    ),
    path("recognition/enrollments/", enrollment_list.enrollments, name="rec_enrollments"),
    path("recognition/jobs/", pages.jobs, name="rec_jobs"),
    path("recognition/jobs/<uuid:public_id>/", pages.job_detail, name="rec_job"),
    path("recognition/jobs/<uuid:public_id>/status.json", pages.job_status, name="rec_job_status"),
    path(
        "recognition/jobs/<uuid:public_id>/images/<int:number>/preview.jpg",
        pages.job_preview,
        name="rec_job_preview",
    ),
    path("recognition/review/", pages.review, name="rec_review"),
    path("recognition/review/<int:pk>/decide/", pages.review_decide, name="rec_review_decide"),
    path("recognition/accuracy/<int:purpose_id>/", accuracy.accuracy, name="rec_accuracy"),
    path(
        "recognition/accuracy/<int:purpose_id>/calibrations.csv",
        accuracy.accuracy_download,
        name="rec_accuracy_csv",
    ),
    path(
        "recognition/accuracy/<int:purpose_id>/calibrate/",
        accuracy.calibrate,
        name="rec_calibrate",
    ),
]
