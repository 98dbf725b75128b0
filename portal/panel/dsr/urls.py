"""Panel pages for data-subject requests, mounted under /o/<org_slug>/ by portal.panel.urls."""

from django.urls import path

from portal.panel.dsr import imports, pages

urlpatterns = [
    path("dsr/", pages.queue, name="dsr_queue"),
    path("dsr/new/", pages.file_request, name="dsr_new"),
    path("dsr/settings/", pages.deadline_settings, name="dsr_settings"),
    path("dsr/imports/", imports.imports, name="dsr_imports"),
    path("dsr/imports/new/", imports.import_new, name="dsr_import_new"),
    path("dsr/imports/<int:pk>/", imports.import_detail, name="dsr_import_detail"),
    path("dsr/<int:pk>/", pages.detail, name="dsr_detail"),
    path("dsr/<int:pk>/package.json", pages.package, name="dsr_package"),
    path("dsr/<int:pk>/<slug:step>/", pages.step, name="dsr_step"),
]
