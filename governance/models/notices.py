"""Notices shown to people before processing (R9)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.querysets import NoticeQuerySet


class Notice(models.Model):
    """The notice for one purpose version in one language. Immutable once published."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # FRM Art. 5, PIPL Art. 17 (R9): every one of these must be filled before publishing.
    CONTENT_FIELDS = (
        "controller_name",
        "controller_contact",
        "purpose_text",
        "method_text",
        "retention_text",
        "necessity_text",
        "rights_impact_text",
        "rights_exercise_text",
        "alternative_text",
    )

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="notices"
    )
    purpose_version = models.ForeignKey(
        "governance.PurposeVersion", on_delete=models.PROTECT, related_name="notices"
    )
    language = models.CharField(_("language"), max_length=8, choices=Language)
    controller_name = models.CharField(_("controller name"), max_length=200, blank=True)
    controller_contact = models.CharField(_("controller contact"), max_length=300, blank=True)
    purpose_text = models.TextField(_("purpose"), blank=True)
    method_text = models.TextField(_("processing method"), blank=True)
    retention_text = models.TextField(_("retention period"), blank=True)
    necessity_text = models.TextField(_("necessity"), blank=True)
    rights_impact_text = models.TextField(_("impact on rights"), blank=True)
    rights_exercise_text = models.TextField(_("how to exercise rights"), blank=True)
    alternative_text = models.TextField(_("the alternative to face recognition"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["purpose_version", "language", "-pk"]
        constraints = [
            # notice_published_for(purpose_version, language) must find exactly one.
            models.UniqueConstraint(
                fields=["purpose_version", "language"],
                condition=Q(status="published"),
                name="notice_one_published_per_version_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose_version} [{self.language}]"
