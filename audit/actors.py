"""Who did something, as the audit trail records it."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    """The author of an action: a staff user, an API key, the system, or a data subject.

    Carries the request id and IP explicitly so that services and tasks never read ambient state.
    """

    USER = "user"
    API_KEY = "api_key"
    SYSTEM = "system"
    SUBJECT = "subject"

    kind: str
    id: str = ""
    label: str = ""
    request_id: str = ""
    ip: str | None = None
    user_id: int | None = None

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(kind=cls.SYSTEM, label=label)

    @classmethod
    def subject(cls, pseudonym: str, *, request_id: str = "", ip: str | None = None) -> "Actor":
        return cls(
            kind=cls.SUBJECT, id=str(pseudonym), label="data subject", request_id=request_id, ip=ip
        )

    def with_request(self, *, request_id: str, ip: str | None) -> "Actor":
        return replace(self, request_id=request_id, ip=ip)

    def as_payload(self) -> dict:
        """Return this actor as JSON for an outbox event: a later reaction audits the same author.

        Without the IP: the event row outlives the request, and the audit trail already has it.
        """
        return {
            "kind": self.kind,
            "id": str(self.id or ""),
            "label": self.label,
            "request_id": self.request_id,
            "user_id": self.user_id,
        }

    @classmethod
    def from_payload(cls, data: dict | None) -> "Actor":
        """Return the actor ``as_payload`` wrote; the system when the payload names none."""
        if not data or not data.get("kind"):
            return cls.system()
        return cls(
            kind=data["kind"],
            id=data.get("id", ""),
            label=data.get("label", ""),
            request_id=data.get("request_id", ""),
            user_id=data.get("user_id"),
        )
