"""Request examples of the operations that create, by operationId (issue 18).

Real bodies, as an integration for a staff entrance would send them: the schema's postprocessing
hook (portal.api.schema) puts each on its operation's request body, so the docs, generated
clients and Schemathesis's explicit phase all see the same ones. Ids are the first rows of a
new organization; a body naming rows another organization holds is refused as
unknown_reference, never served.
"""

SUBJECT = "3f1c2a9e-7b4d-4e52-9a61-0c8f5d2e7b13"

REQUEST_EXAMPLES: dict[str, dict[str, dict]] = {
    "subjects_create": {
        "an employee": {
            "external_ref": "HR-1042",
            "display_name": "Li Wei",
            "email": "li.wei@example.com",
            "phone": "+86 21 5555 0142",
            "date_of_birth": "1990-04-12",
        }
    },
    "consents_create": {
        "consent given at the front desk": {
            "subject": SUBJECT,
            "purpose_version": 1,
            "notice": 1,
            "deployment": 1,
            "kind": "separate",
            "channel": "kiosk",
            "consent_ui_version": "desk-form-2025-03",
            "face_processing": True,
            "central_storage": True,
            "raw_images": False,
            "e_signature": "Li Wei",
        }
    },
    "enrollments_create": {
        "a face photo": {
            "deployment": 1,
            "purpose": 1,
            "subject": SUBJECT,
            "image": "(the JPEG, PNG or WebP file)",
        }
    },
    "recognition_jobs_create": {
        "who is at the door": {
            "deployment": 1,
            "purpose": 1,
            "mode": "identify",
            "images": ["(the JPEG, PNG or WebP file)"],
        },
        "is this the badge holder": {
            "deployment": 1,
            "purpose": 1,
            "mode": "verify",
            "images": ["(the JPEG, PNG or WebP file)"],
            "claimed_subject": SUBJECT,
        },
    },
    "data_requests_create": {
        "erasure asked by e-mail": {
            "subject": SUBJECT,
            "kind": "erasure",
            "message": "Please delete my face data; I no longer work here.",
            "identity_check": "Staff badge 1042 shown at reception",
            "language": "en",
        }
    },
    "purposes_create": {
        "building access": {
            "name": "Staff entrance",
            "kind": "access_control",
            "description": "Open the staff entrance for employees who consented.",
            "method": "1:N identification against the employees who enrolled.",
            "necessity_justification": "Badges are lent and lost; the door must know who enters.",
            "alternatives": ["staff badge", "reception check"],
            "retention_days": 30,
        }
    },
    "deployments_create": {
        "an office entrance": {
            "name": "HQ staff entrance",
            "address": "88 Century Avenue, Pudong",
            "province": "Shanghai",
            "place_type": "workplace",
            "storage_mode": "central",
            "central_storage_reason": "The door controller cannot hold templates.",
            "capture_area": "The inner lobby door, 1.5 m in front of the reader.",
        }
    },
    "notices_create": {
        "an English notice": {
            "purpose_version": 1,
            "language": "en",
            "controller_name": "Acme Ltd",
            "controller_contact": "dpo@acme.example",
            "purpose_text": "We recognise your face to open the staff entrance.",
            "method_text": "A camera at the door compares your face with your enrolled template.",
            "retention_text": "Templates are deleted 30 days after you withdraw or leave.",
            "necessity_text": "Badges are lent and lost; the door must know who enters.",
            "rights_impact_text": "A false match could let someone else in under your name.",
            "rights_exercise_text": "Withdraw or ask for your data at any time at /me/.",
            "alternative_text": "Use your badge, or sign in at reception.",
        }
    },
    "assessments_create": {
        "an impact assessment": {
            "deployment": 1,
            "title": "Staff entrance, 2025",
            "section_lawfulness": "Separate consent (PIPL Art. 29); badge as the alternative.",
            "section_rights_impact": "A false match admits the wrong person; logged and reviewed.",
            "section_security_risks": "Templates leak; they are encrypted per subject.",
            "section_protective_measures": "Per-subject keys, audit chain, 30-day retention.",
            "purpose_versions": [1],
        }
    },
}


def add_request_examples(result: dict) -> None:
    """Put each operation's request examples on its one request body encoding."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            examples = REQUEST_EXAMPLES.get(operation.get("operationId", ""))
            if not examples or "requestBody" not in operation:
                continue
            for media in operation["requestBody"]["content"].values():
                media["examples"] = {name: {"value": value} for name, value in examples.items()}
