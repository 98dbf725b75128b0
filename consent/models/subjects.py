"""The people whose faces an organization may process, known everywhere by a pseudonym."""

import uuid
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consent.querysets import MinorDataRulesQuerySet, SubjectQuerySet

# PIPL Art. 28 and 31, FRM Art. 7 (R15): under 14 only a guardian may consent.
MINOR_AGE = 14


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``born`` (29 Feb → 1 Mar)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


class Subject(models.Model):
    """A data subject of one organization. Other apps refer to them by ``pseudonym`` only."""

    class AgeBracket(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        UNDER_14 = "under_14", _("Under 14")
        FROM_14_TO_17 = "14_17", _("14 to 17")
        ADULT = "18_plus", _("18 or older")

    class Choice(models.TextChoices):
        # R3, R14: a person may always choose the non-biometric alternative.
        UNDECIDED = "undecided", _("Not chosen yet")
        FACE = "face", _("Face recognition")
        ALTERNATIVE = "alternative", _("The non-biometric alternative")

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="subjects"
    )
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_ref = models.CharField(_("external reference"), max_length=120, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age_bracket = models.CharField(
        _("age bracket"), max_length=10, choices=AgeBracket, default=AgeBracket.UNKNOWN
    )
    choice = models.CharField(_("choice"), max_length=12, choices=Choice, default=Choice.UNDECIDED)
    choice_at = models.DateTimeField(null=True, blank=True)
    # Set by the scheduled job when a subject who was under 14 reaches 14 (R15).
    turned_14_at = models.DateField(null=True, blank=True)
    last_interaction_at = models.DateTimeField(null=True, blank=True)
    # R43 (PIPL Art. 24, GDPR Art. 22): the person refused decisions made by automation alone;
    # a match naming them then always goes to a human reviewer before any action.
    objects_to_automated_decisions = models.BooleanField(default=False)
    # Erasure keeps the row (and its pseudonym) so that consent history stays demonstrable (R16).
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "pk"]
        permissions = [
            ("view_subjects", "View data subjects and their consents"),
            ("manage_consent", "Record and withdraw consents"),
            ("handle_requests", "Handle data-subject requests"),
        ]
        constraints = [
            # Operators' systems look subjects up by their own reference.
            models.UniqueConstraint(
                fields=["organization", "external_ref"],
                condition=~Q(external_ref=""),
                name="subject_external_ref_unique_per_org",
            )
        ]
        indexes = [
            # Self-service sign-in finds a person's subjects by e-mail.
            models.Index(fields=["email"], name="subject_email"),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.pseudonym)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def is_minor_on(self, day: date) -> bool | None:
        """Return whether the subject is under 14 on ``day``; None when nothing tells."""
        if self.date_of_birth is not None:
            return age_on(self.date_of_birth, day) < MINOR_AGE
        if self.age_bracket == self.AgeBracket.UNDER_14:
            return True
        if self.age_bracket in (self.AgeBracket.FROM_14_TO_17, self.AgeBracket.ADULT):
            return False
        return None


class MinorDataRules(models.Model):
    """The organization's published rules for processing minors' face data (PIPL Art. 31, R15).

    Each publication is a new row; the newest is in force. No guardian consent is accepted
    before the first one exists.
    """

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="minor_data_rules"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("rules"))
    url = models.URLField(_("public address"), blank=True)
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    published_by_label = models.CharField(max_length=200, blank=True)

    objects = MinorDataRulesQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = "minor data rules"

    def __str__(self) -> str:
        return self.title
