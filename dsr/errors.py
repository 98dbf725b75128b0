"""Errors of the requests workflow (the ApplicationError family)."""

from tenants.errors import ApplicationError, Conflict


class AlreadyDone(Conflict):
    """The request was already answered: nothing is done twice, nothing is lost."""

    code = "already_done"


class ErasureIncomplete(ApplicationError):
    """After an erasure something of the subject was still found; the report lists it."""

    status = 500
    code = "erasure_incomplete"
