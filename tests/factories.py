"""factory_boy factories; related objects always share one organization."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from tenants.models import Membership, Organization
from tenants.roles import Role

PASSWORD = "a-test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    jurisdiction = Organization.Jurisdiction.CN
    unified_social_credit_code = "91310000MA1FL0000X"
    address = "1 Test Road, Shanghai"
    province = "Shanghai"
    contact_name = "Li Wei"
    contact_email = "contact@example.test"
    contact_phone = "+86 21 5555 0000"
    pi_contact_name = "Zhang Min"
    pi_contact_email = "pi@example.test"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OPERATOR


# --- Governance ---------------------------------------------------------------------------


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Deployment"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "2 Gate Road, Shanghai"
    province = "Shanghai"
    place_type = "workplace"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Device"

    deployment = factory.SubFactory(DeploymentFactory)
    identifier = factory.Sequence(lambda n: f"gate-{n}")
    kind = "access_gate"


class PurposeFactory(factory.django.DjangoModelFactory):
    """A purpose with a valid first version as its current version."""

    class Meta:
        model = "governance.Purpose"
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Purpose {n}")
    # Both languages, so a Chinese notice of it publishes (governance.content_language).
    name_zh_hans = factory.Sequence(lambda n: f"目的 {n}")
    alternatives_zh_hans = factory.LazyFunction(lambda: ["工牌加 PIN 码", "前台人工核验"])
    kind = "access_control"

    @factory.post_generation
    def version(self, create, extracted, **kwargs):
        if not create or self.current_version_id:
            return
        self.current_version = PurposeVersionFactory(purpose=self, version=1, **kwargs)
        self.save(update_fields=["current_version"])


class PurposeVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.PurposeVersion"

    purpose = factory.SubFactory(PurposeFactory, version=None)
    version = factory.Sequence(lambda n: n + 1)
    description = "Let employees through the office gate."
    method = "1:1 comparison at the gate against a template stored on the gate."
    necessity_justification = "Badges are lent and lost; the gate protects the server room."
    alternatives = factory.LazyFunction(lambda: ["badge and PIN", "staff check at reception"])
    retention_days = 30


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Notice"

    purpose_version = factory.SubFactory(PurposeVersionFactory)
    organization = factory.LazyAttribute(lambda n: n.purpose_version.purpose.organization)
    language = "en"
    controller_name = "Acme Security"
    controller_contact = "pi@example.test"
    purpose_text = "Opening the office gate."
    method_text = "Your face is compared with your template on the gate."
    retention_text = "30 days after you leave."
    necessity_text = "Badges are lent and lost."
    rights_impact_text = "A false rejection delays entry; staff let you in."
    rights_exercise_text = "Write to pi@example.test to access, correct or delete your data."
    alternative_text = "Badge and PIN, or reception."


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Assessment"

    deployment = factory.SubFactory(DeploymentFactory)
    organization = factory.LazyAttribute(lambda a: a.deployment.organization)
    title = factory.Sequence(lambda n: f"PIA {n}")
    section_lawfulness = "Lawful: consent under PIPL Art. 13 and 29."
    section_rights_impact = "Low impact; alternatives always open."
    section_security_risks = "Templates could leak from the gate; encrypted at rest."
    section_protective_measures = "Encryption, access control, audit trail."
    retain_until = datetime.date(2099, 1, 1)


class ApprovedAssessmentFactory(AssessmentFactory):
    """A signed-off assessment covering the current versions of the deployment's purposes.

    Enrollment and jobs need one that is not stale (R27, R29); attach the purposes first.
    """

    class Meta:
        skip_postgeneration_save = True

    status = "approved"
    signed_off_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def purpose_versions(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            from governance.models import PurposeVersion

            extracted = PurposeVersion.objects.filter(
                purpose__deployment_links__deployment=self.deployment,
                pk=F("purpose__current_version_id"),
            )
        self.purpose_versions.set(extracted)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Incident"

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = "minor"
    occurred_at = factory.LazyFunction(timezone.now)
    discovered_at = factory.LazyAttribute(lambda i: i.occurred_at)
    data_types = "Face templates"
    cause = "A lost laptop"
    possible_harm = "Identification of employees"
    remedial_measures = "Keys rotated"
    individual_steps = "None needed"
    contact = "pi@example.test"


# --- Consent ------------------------------------------------------------------------------


class PublishedNoticeFactory(NoticeFactory):
    """A published notice, as governance's notice_publish leaves it."""

    status = "published"
    published_at = factory.LazyFunction(timezone.now)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consent.Subject"

    organization = factory.SubFactory(OrganizationFactory)
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    date_of_birth = datetime.date(1990, 5, 17)
    age_bracket = "18_plus"


class MinorDataRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consent.MinorDataRules"

    organization = factory.SubFactory(OrganizationFactory)
    title = "How we handle children's face data"
    body = "Guardian consent only; templates deleted at 14 unless renewed."
    content_hash = "0" * 64
    published_at = factory.LazyFunction(timezone.now)


# --- Data-subject requests ----------------------------------------------------------------


class DataRequestFactory(factory.django.DjangoModelFactory):
    """A request as the self-service page files it (identity verified by the sign-in)."""

    class Meta:
        model = "dsr.DataRequest"

    subject = factory.SubFactory(SubjectFactory)
    organization = factory.LazyAttribute(lambda r: r.subject.organization)
    subject_pseudonym = factory.LazyAttribute(lambda r: r.subject.pseudonym)
    kind = "access"
    channel = "self_service"
    status = "identity_verified"
    identity_check = "signed in on the self-service pages"
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    first_due_at = factory.LazyAttribute(lambda r: r.due_at)


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dsr.LegalHold"

    subject = factory.SubFactory(SubjectFactory)
    organization = factory.LazyAttribute(lambda h: h.subject.organization)
    subject_pseudonym = factory.LazyAttribute(lambda h: h.subject.pseudonym)
    reason = "Tax records: 10 years (Tax Collection Law)"
    placed_at = factory.LazyFunction(timezone.now)


class RecipientFactory(factory.django.DjangoModelFactory):
    """A registered recipient complete for R25 (in the PRC unless ``location`` says otherwise)."""

    class Meta:
        model = "governance.Recipient"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Processor {n} Ltd")
    contact = "privacy@processor.example"
    purpose = "Maintaining the access gates"
    method = "Encrypted transfer of match events"
    data_types = "Match events, pseudonyms"
    location = "CN"
    contract = factory.django.FileField(filename="contract.pdf", data=b"%PDF-1.4 contract")
    contract_name = "contract.pdf"
    contract_sha256 = "0" * 64


class TransferBasisFactory(factory.django.DjangoModelFactory):
    """A CAC standard contract for a deployment's or a recipient's transfer abroad (R26)."""

    class Meta:
        model = "governance.TransferBasis"

    organization = factory.LazyAttribute(lambda o: (o.deployment or o.recipient).organization)
    deployment = None
    recipient = None
    mechanism = "standard_contract"
    reference = "SC-2026-0001"
    document = factory.django.FileField(filename="standard-contract.pdf", data=b"%PDF-1.4 sc")
    document_name = "standard-contract.pdf"
    document_sha256 = "1" * 64
