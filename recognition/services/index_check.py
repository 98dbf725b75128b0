"""Check the HNSW index against exact search on an organization's own templates (issue 5).

Synthetic benchmarks say how the index does on vectors shaped like face encodings; this says
how it does on the real ones, at the search breadths an operator is choosing between
(RECOGNITION_INDEX_EXPANSION_SEARCH). See recognition.matching.recall for what is measured.
"""

import os
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from audit.actors import Actor
from audit.services import audit_record
from recognition.matching.recall import held_out_recall
from recognition.services.galleries import gallery_build
from tenants.errors import ApplicationError

DEFAULT_BREADTHS = (64, 128, 256)


def gallery_index_check(
    *,
    purpose,
    actor: Actor,
    expansion_search: Sequence[int] = DEFAULT_BREADTHS,
    sample: int = 1000,
) -> dict:
    """Decrypt the purpose's gallery, measure the index's recall@1 per breadth, audit the result.

    Raise ApplicationError for a breadth or sample out of range, or a gallery too small to check.
    The report holds counts, recall and timings only, never templates.
    """
    breadths = sorted(set(expansion_search))
    if not breadths or min(breadths) < 1 or max(breadths) > 4096:
        raise ApplicationError("search breadths must be between 1 and 4096")
    if not 1 <= sample <= 100_000:
        raise ApplicationError("the sample must be between 1 and 100000 templates")
    # Decrypted only: the check builds its own index without the held-out templates.
    gallery = gallery_build(purpose=purpose)
    try:
        results = held_out_recall(
            gallery.labels(),
            gallery.vectors(),
            expansion_search=breadths,
            sample=sample,
            threads=os.cpu_count() or 1,
        )
    except ValueError as error:
        raise ApplicationError(
            f"the gallery of purpose {purpose.pk} cannot be checked: {error}"
        ) from error
    threshold = settings.RECOGNITION_INDEX_THRESHOLD
    report = {
        "purpose": purpose.pk,
        "template_count": len(gallery),
        # Below the threshold workers scan exactly, and the index's recall does not matter yet.
        "workers_search": "index" if len(gallery) >= threshold else "exact",
        "index_threshold": threshold,
        "configured_expansion_search": settings.RECOGNITION_INDEX_EXPANSION_SEARCH,
        "results": [check._asdict() for check in results],
    }
    with transaction.atomic():
        audit_record(
            organization_id=purpose.organization_id,
            actor=actor,
            action="gallery.index_checked",
            target_type="purpose",
            target_id=purpose.pk,
            details=report,
        )
    return report
