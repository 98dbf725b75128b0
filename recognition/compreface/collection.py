"""What a CompreFace key's collection holds: the examples and subjects it may see.

A collection is the purpose's gallery as one deployment uses it. It shows only what could be
recognized: stored templates of subjects who hold a usable consent there now (consent's one
rule, ``active_subject_ids_for``), so a restricted or withdrawn subject is not listed.
"""

from uuid import UUID

from consent.models import Subject
from consent.selectors import active_subject_ids_for
from recognition.models import CompreFaceBinding, Enrollment


def collection_examples(*, binding: CompreFaceBinding):
    """Return the binding's stored examples (enrollments with their template), oldest first."""
    usable = active_subject_ids_for(
        organization=binding.organization,
        purpose=binding.purpose,
        deployment=binding.deployment_id,
    )
    return (
        Enrollment.objects.filter(
            organization_id=binding.organization_id,
            deployment_id=binding.deployment_id,
            purpose_id=binding.purpose_id,
            status=Enrollment.Status.SUCCEEDED,
            template_state=Enrollment.TemplateState.STORED,
            subject_pseudonym__in=usable,
        )
        .select_related("subject")
        .order_by("created_at", "pk")
    )


def collection_example(*, binding: CompreFaceBinding, image_id: str) -> Enrollment | None:
    """Return the binding's stored example with this id (an enrollment's), or None."""
    try:
        public_id = UUID(str(image_id))
    except ValueError:
        return None
    return collection_examples(binding=binding).filter(public_id=public_id).first()


def collection_subjects(*, binding: CompreFaceBinding) -> list[Subject]:
    """Return the subjects with at least one example in the collection, by creation."""
    ids = collection_examples(binding=binding).values("subject_id")
    return list(Subject.objects.filter(pk__in=ids, erased_at__isnull=True).order_by("pk"))
