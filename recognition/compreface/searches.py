"""CompreFace's recognize, verify and detect, run as the portal's recognition jobs.

Each is a job through ``recognition_job_create`` (the deployment's checks, R2, R27, R29, R41,
R54) answered from its results, which ``job_results_write`` wrote after re-checking consent:
a face is named only for a subject with a usable consent, at the purpose's operating point,
and not while a person must review the match first (R43).
"""

from django.utils.translation import gettext as _
from rest_framework.response import Response

from consent.models import Subject
from recognition.compreface.base import (
    CompreFaceUploadView,
    still_running,
    wait_finished,
    work_failed,
)
from recognition.compreface.collection import collection_example
from recognition.compreface.errors import IMAGE_NOT_FOUND, REFUSED_BY_RULE, CompreFaceError
from recognition.compreface.shapes import (
    Options,
    biggest_first,
    box,
    image_read,
    options_read,
    plugins_versions,
    similarity,
    subject_label,
)
from recognition.models import RecognitionJob, RecognitionResult
from recognition.services.jobs import recognition_job_create
from tenants.roles import RUN_JOB

Decision = RecognitionResult.Decision
Review = RecognitionResult.Review


def _threshold(job: RecognitionJob) -> float:
    """Return the distance the job's answers were decided at: the pinned calibration's for a
    1:N search (R54), the purpose's 1:1 threshold for a verification."""
    if job.mode == RecognitionJob.Mode.IDENTIFY and job.calibration_id:
        return float(job.calibration.point.get("threshold") or job.match_threshold)
    return job.match_threshold


class _JobView(CompreFaceUploadView):
    mode = ""
    grants = {"POST": RUN_JOB}

    def run(self, request, *, claimed_subject=None) -> tuple[RecognitionJob, Options]:
        """Queue the job on the key's deployment and purpose; return it once finished."""
        options = options_read(request.query_params)
        image, content_type = image_read(request)
        binding = self.binding
        job = recognition_job_create(
            organization=self.organization,
            deployment=binding.deployment,
            purpose=binding.purpose,
            mode=self.mode,
            images=[(image, content_type)],
            actor=self.actor,
            user=request.user,
            claimed_subject=claimed_subject,
        )
        del image
        row = wait_finished(RecognitionJob, job.pk)
        if row.status == RecognitionJob.Status.FAILED:
            raise work_failed(row)
        if row.status != RecognitionJob.Status.SUCCEEDED:
            raise still_running(row, _("job"))
        return row, options

    def answer(self, job: RecognitionJob, options: Options, faces: list[dict]) -> Response:
        body = {"result": faces}
        if options.status:
            body["plugins_versions"] = plugins_versions()
        return Response(body)

    def results(self, job: RecognitionJob, options: Options):
        return biggest_first(
            RecognitionResult.objects.filter(job=job).order_by("image_index", "face_index"),
            options,
        )


class RecognizeView(_JobView):
    """``/recognition/recognize``: 1:N within the key's purpose gallery."""

    mode = RecognitionJob.Mode.IDENTIFY

    def post(self, request):
        job, options = self.run(request)
        rows = self.results(job, options)
        named = {
            s.pk: s
            for s in Subject.objects.filter(pk__in=[r.subject_id for r in rows if r.subject_id])
        }
        threshold = _threshold(job)
        faces = []
        for row in rows:
            face = {"box": box(row.box), "subjects": []}
            if row.review_status == Review.PENDING:
                # R43: a person reviews this match before anything acts on it; a client that
                # acts on names by itself gets none until then.
                face["review"] = "pending"
            elif row.matched and row.subject_id in named and options.prediction_count:
                # One identity at most: a second candidate is not a recognition at the
                # purpose's operating point (R54), whatever prediction_count asks.
                face["subjects"] = [
                    {
                        "subject": subject_label(named[row.subject_id]),
                        "similarity": similarity(row.distance, threshold),
                    }
                ]
            faces.append(face)
        return self.answer(job, options, faces)


class VerifyExampleView(_JobView):
    """``/recognition/faces/<image_id>/verify``: 1:1 against the example's subject."""

    mode = RecognitionJob.Mode.VERIFY

    def post(self, request, image_id: str):
        example = collection_example(binding=self.binding, image_id=image_id)
        if example is None:
            raise CompreFaceError(
                _("Image with id %(id)s not found") % {"id": image_id},
                code=IMAGE_NOT_FOUND,
                status=404,
                reason="not_found",
            )
        job, options = self.run(request, claimed_subject=example.subject)
        threshold = _threshold(job)
        faces = [
            {
                "box": box(row.box),
                # Only a face that verified at the purpose's threshold gets a similarity; any
                # other is 0, which no client's cut accepts.
                "similarity": similarity(row.distance, threshold)
                if row.decision == Decision.VERIFIED and row.matched
                else 0.0,
            }
            for row in self.results(job, options)
        ]
        return self.answer(job, options, faces)


class DetectView(_JobView):
    """``/detection/detect``: boxes only; no template is computed (detect mode)."""

    mode = RecognitionJob.Mode.DETECT

    def post(self, request):
        job, options = self.run(request)
        faces = [{"box": box(row.box)} for row in self.results(job, options)]
        return self.answer(job, options, faces)


class VerificationView(CompreFaceUploadView):
    """``/verification/verify``: comparing two arbitrary photos is refused (R12, R17)."""

    grants = {}  # refused for every key alike, with its reason

    def post(self, request):
        raise CompreFaceError(
            _(
                "Comparing two uploaded photos is not offered: neither face belongs to a subject "
                "whose consent to face processing for this purpose is on record (R12, R17). "
                "Verify against an example instead: POST /api/v1/recognition/faces/{image_id}/"
                "verify."
            ),
            code=REFUSED_BY_RULE,
            status=422,
            reason="verification_refused",
            rule="R12",
        )
