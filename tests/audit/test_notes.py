"""Signed checkpoints in the C2SP signed-note format."""

import base64

import pytest

from audit.notes import Checkpoint, NoteError, Signer, Verifier, open_checkpoint, sign_checkpoint

SEED = bytes(range(32))


def test_checkpoint_note_has_origin_size_root_and_an_em_dash_signature_line():
    signer = Signer.from_seed("portal.example/audit", SEED)
    note = sign_checkpoint(signer, Checkpoint("portal.example/audit/7", 12, b"\x01" * 32, 99))
    text, signature = note.split("\n\n")
    assert text.splitlines() == [
        "portal.example/audit/7",
        "12",
        base64.b64encode(b"\x01" * 32).decode(),
        "time 99",
    ]
    assert signature.startswith("\u2014 portal.example/audit ")
    blob = base64.b64decode(signature.split(" ")[2])
    assert len(blob) == 4 + 64
    parsed = open_checkpoint(Verifier.parse(signer.verifier_key), note)
    assert (parsed.size, parsed.root, parsed.time) == (12, b"\x01" * 32, 99)


def test_a_changed_checkpoint_or_another_key_does_not_verify():
    signer = Signer.from_seed("portal.example/audit", SEED)
    note = sign_checkpoint(signer, Checkpoint("o", 3, b"\x02" * 32))
    verifier = Verifier.parse(signer.verifier_key)
    with pytest.raises(NoteError, match="does not verify"):
        verifier.open(note.replace("\n3\n", "\n4\n"))
    other = Signer.from_seed("portal.example/audit", b"\x07" * 32)
    with pytest.raises(NoteError, match="does not verify|no signature"):
        Verifier.parse(other.verifier_key).open(note)


def test_verifier_key_is_name_hash_and_base64_key():
    key = Signer.from_seed("portal.example/audit", SEED).verifier_key
    name, key_hash, public = key.split("+", 2)
    assert name == "portal.example/audit" and len(key_hash) == 8
    assert base64.b64decode(public)[0] == 1
    with pytest.raises(NoteError, match="hash does not match"):
        Verifier.parse(f"other+{key_hash}+{public}")
