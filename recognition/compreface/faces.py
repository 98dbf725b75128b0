"""CompreFace's face collection: add, list and delete examples, list and delete subjects.

An example is an enrollment (its image_id is the enrollment's id) and goes through
``enrollment_request``: the subject must hold a usable consent for the key's purpose (R12)
with central storage (R19), and the worker encodes it. Deleting examples erases templates
through ``compreface_examples_delete`` (audited, galleries bumped).
"""

import math

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from recognition.compreface.base import (
    CompreFaceUploadView,
    CompreFaceView,
    wait_finished,
    work_failed,
)
from recognition.compreface.collection import (
    collection_example,
    collection_examples,
    collection_subjects,
)
from recognition.compreface.errors import (
    IMAGE_NOT_FOUND,
    MISSING_REQUEST_PARAMETER,
    REFUSED_BY_RULE,
    UNDEFINED,
    VALIDATION_CONSTRAINT_VIOLATION,
    CompreFaceError,
)
from recognition.compreface.shapes import (
    image_read,
    options_read,
    subject_label,
    subject_lookup,
)
from recognition.models import Enrollment
from recognition.services.compreface import compreface_examples_delete
from recognition.services.enrollment import enrollment_request
from tenants.roles import VIEW_RESULTS

_DEFAULT_PAGE_SIZE = 20
_MAX_PAGE_SIZE = 1000


def _subject_required(request) -> str:
    name = request.query_params.get("subject") or ""
    if not name.strip():
        raise CompreFaceError(
            _("Required request parameter 'subject' is not present."),
            code=MISSING_REQUEST_PARAMETER,
            reason="missing_parameter",
        )
    return name.strip()


def _unknown_subject(name: str) -> CompreFaceError:
    # CompreFace creates a subject on its first example. Here a subject exists only with the
    # record of their consent (R12), made through the portal before any face is added.
    return CompreFaceError(
        _(
            "No subject %(name)s in this organization. A subject is recorded with their consent "
            "to face processing for this purpose (R12) before any example is added; this API "
            "does not create subjects."
        )
        % {"name": name},
        code=REFUSED_BY_RULE,
        status=422,
        reason="subject_unknown",
        rule="R12",
    )


def _not_found(image_id: str) -> CompreFaceError:
    return CompreFaceError(
        _("Image with id %(id)s not found") % {"id": image_id},
        code=IMAGE_NOT_FOUND,
        status=404,
        reason="not_found",
    )


def _int_param(request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    try:
        value = int(raw) if raw != "" else default
    except ValueError:
        value = -1
    if value < 0:
        raise CompreFaceError(
            _("%(name)s must be an integer greater or equal zero.") % {"name": name},
            code=VALIDATION_CONSTRAINT_VIOLATION,
            reason="invalid",
        )
    return value


class FacesView(CompreFaceUploadView):
    """``/recognition/faces``: add an example (POST), list (GET), delete by subject (DELETE)."""

    def post(self, request):
        name = _subject_required(request)
        options_read(request.query_params)  # det_prob_threshold checked; face_plugins refused
        image, content_type = image_read(request)
        subject = subject_lookup(organization=self.organization, name=name)
        if subject is None:
            raise _unknown_subject(name)
        binding = self.binding
        enrollment = enrollment_request(
            organization=self.organization,
            deployment=binding.deployment,
            purpose=binding.purpose,
            subject=subject,
            image=image,
            content_type=content_type,
            actor=self.actor,
            user=request.user,
        )
        del image
        row = wait_finished(Enrollment, enrollment.pk)
        body = {"image_id": str(enrollment.public_id), "subject": subject_label(subject)}
        if row.status == Enrollment.Status.SUCCEEDED:
            return Response(body, status=status.HTTP_201_CREATED)
        if row.status == Enrollment.Status.FAILED:
            raise work_failed(row)
        # Accepted and queued: the example appears in the collection once the worker stores
        # it, under this image_id; a refusal then shows on the portal's enrollment.
        return Response(body | {"status": row.status}, status=status.HTTP_202_ACCEPTED)

    def get(self, request):
        page = _int_param(request, "page", 0)
        size = min(_int_param(request, "size", _DEFAULT_PAGE_SIZE) or 1, _MAX_PAGE_SIZE)
        examples = collection_examples(binding=self.binding)
        total = examples.count()
        rows = examples[page * size : (page + 1) * size]
        return Response(
            {
                "faces": [
                    {"image_id": str(e.public_id), "subject": subject_label(e.subject)}
                    for e in rows
                ],
                "page_number": page,
                "page_size": size,
                "total_pages": math.ceil(total / size),
                "total_elements": total,
            }
        )

    def delete(self, request):
        name = (request.query_params.get("subject") or "").strip()
        binding = self.binding
        if not name:
            deleted = compreface_examples_delete(binding=binding, actor=self.actor)
            return Response({"deleted": deleted})
        subject = subject_lookup(organization=self.organization, name=name)
        # An unknown name deletes nothing, as in CompreFace: the answer tells nothing more.
        deleted = (
            compreface_examples_delete(binding=binding, actor=self.actor, subject=subject)
            if subject is not None
            else 0
        )
        return Response({"deleted": deleted})


class FaceView(CompreFaceView):
    """``/recognition/faces/<image_id>``: delete one example."""

    def delete(self, request, image_id: str):
        example = collection_example(binding=self.binding, image_id=image_id)
        if example is None:
            raise _not_found(image_id)
        compreface_examples_delete(binding=self.binding, actor=self.actor, enrollment=example)
        return Response(
            {"image_id": str(example.public_id), "subject": subject_label(example.subject)}
        )


class FaceImageView(CompreFaceView):
    """``/recognition/faces/<image_id>/img`` and ``/static/...``: refused (R21).

    Refused before any key is read: the static form carries the key in its path, and neither
    form would hand out an image for any key.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    keyed = False

    def get(self, request, *args, **kwargs):
        raise CompreFaceError(
            _(
                "Face images are not handed out. The photo of an example is deleted once its "
                "template is stored unless the person separately consented to keeping it (R21), "
                "and a kept photo is released only to that person through an access request."
            ),
            code=REFUSED_BY_RULE,
            status=422,
            reason="image_download_refused",
            rule="R21",
        )


class SubjectsView(CompreFaceView):
    """``/recognition/subjects``: list, "add" (an existing consenting subject), delete all."""

    grants = {**CompreFaceView.grants, "POST": VIEW_RESULTS}

    def get(self, request):
        subjects = collection_subjects(binding=self.binding)
        return Response({"subjects": [subject_label(s) for s in subjects]})

    def post(self, request):
        name = str(request.data.get("subject", "") if hasattr(request.data, "get") else "")
        if not name.strip():
            raise CompreFaceError(
                _("subject: must not be blank"),
                code=VALIDATION_CONSTRAINT_VIOLATION,
                reason="invalid",
            )
        subject = subject_lookup(organization=self.organization, name=name.strip())
        if subject is None:
            raise _unknown_subject(name.strip())
        # The subject already exists with their consent record: "adding" it creates nothing.
        return Response({"subject": subject_label(subject)}, status=status.HTTP_201_CREATED)

    def delete(self, request):
        binding = self.binding
        subjects = collection_subjects(binding=binding)
        compreface_examples_delete(binding=binding, actor=self.actor)
        return Response({"deleted": len(subjects)})


class SubjectView(CompreFaceView):
    """``/recognition/subjects/<subject>``: delete the subject's examples; renaming refused."""

    def delete(self, request, subject: str):
        found = subject_lookup(organization=self.organization, name=subject)
        if found is None:
            raise CompreFaceError(
                _("Subject %(name)s not found") % {"name": subject},
                code=UNDEFINED,
                status=404,
                reason="subject_not_found",
            )
        compreface_examples_delete(binding=self.binding, actor=self.actor, subject=found)
        return Response({"subject": subject_label(found)})

    def put(self, request, subject: str):
        raise CompreFaceError(
            _(
                "Subjects are not renamed here. A subject's name in this API is the operator's "
                "reference on their consent record, changed on the portal by a member who may "
                "manage consents; a CompreFace key may not (R33, least privilege)."
            ),
            code=REFUSED_BY_RULE,
            status=422,
            reason="rename_refused",
            rule="R33",
        )
