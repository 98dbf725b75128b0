"""Signed checkpoints in the C2SP formats (signed-note, tlog-checkpoint) with Ed25519.

A checkpoint is the note text::

    <origin>
    <tree size>
    <base64 root hash>
    time <unix seconds>

followed by a blank line and one signature line per signer::

    — <key name> <base64(key hash (4 bytes) || Ed25519 signature)>

The ``time`` line is a tlog-checkpoint extension line: it lets a verifier notice an event that
was appended after a checkpoint yet claims to predate it. The key hash is the first four bytes
of SHA-256(<key name> "\\n" 0x01 <public key>), and the verifier key is written
``<name>+<key hash hex>+<base64(0x01 || public key)>``, so Go's ``golang.org/x/mod/sumdb/note``
and other C2SP tools read both. No Django import: ``audit.offline`` runs this on its own.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "


class NoteError(ValueError):
    """A note or a key that is malformed, or a signature that does not verify."""


def _key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key with its name, made from a 32-byte seed."""

    name: str
    private: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> "Signer":
        _check_name(name)
        if len(seed) != 32:
            raise NoteError("an Ed25519 seed is 32 bytes")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier_key(self) -> str:
        """Return the key in the note format: ``name+hash+base64(0x01 || public key)``."""
        key_hash = _key_hash(self.name, self.public).hex()
        return f"{self.name}+{key_hash}+{base64.b64encode(ED25519 + self.public).decode()}"

    def sign(self, text: str) -> str:
        """Return ``text`` signed as a note (``text`` must end with a newline)."""
        if not text.endswith("\n") or "\n\n" in text:
            raise NoteError("note text must end with one newline and hold no blank line")
        signature = self.private.sign(text.encode())
        blob = _key_hash(self.name, self.public) + signature
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Verifier:
    """A public key parsed from a verifier key string."""

    name: str
    key_hash: bytes
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, vkey: str) -> "Verifier":
        try:
            name, hash_hex, key_b64 = vkey.strip().split("+", 2)
            key = base64.b64decode(key_b64, validate=True)
            key_hash = bytes.fromhex(hash_hex)
        except (ValueError, binascii.Error) as exc:
            raise NoteError("a verifier key reads name+hash+base64key") from exc
        _check_name(name)
        if len(key) != 33 or key[:1] != ED25519:
            raise NoteError("only Ed25519 verifier keys are supported")
        if len(key_hash) != 4 or _key_hash(name, key[1:]) != key_hash:
            raise NoteError("the verifier key's hash does not match its name and key")
        return cls(name, key_hash, Ed25519PublicKey.from_public_bytes(key[1:]))

    def open(self, note: str) -> str:
        """Return the note's text when it carries a valid signature by this key, else raise."""
        text, sep, signatures = note.rpartition("\n\n")
        if not sep:
            raise NoteError("a signed note has a blank line before its signatures")
        text += "\n"
        for line in signatures.splitlines():
            if not line.startswith(SIGNATURE_PREFIX):
                raise NoteError(f"malformed signature line {line!r}")
            try:
                name, blob_b64 = line[len(SIGNATURE_PREFIX) :].split(" ")
                blob = base64.b64decode(blob_b64, validate=True)
            except (ValueError, binascii.Error) as exc:
                raise NoteError(f"malformed signature line {line!r}") from exc
            if name != self.name or blob[:4] != self.key_hash:
                continue  # another signer's line (a witness's cosignature, say)
            try:
                self.public.verify(blob[4:], text.encode())
            except InvalidSignature as exc:
                raise NoteError(f"the signature by {name} does not verify") from exc
            return text
        raise NoteError(f"the note carries no signature by {self.name}")


@dataclass(frozen=True)
class Checkpoint:
    """The body of a tlog checkpoint: origin, tree size, root hash, signing time."""

    origin: str
    size: int
    root: bytes
    time: int = 0

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.time:
            lines.append(f"time {self.time}")
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.rstrip("\n").split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint has an origin, a size and a root hash")
        try:
            size = int(lines[1])
            root = base64.b64decode(lines[2], validate=True)
        except (ValueError, binascii.Error) as exc:
            raise NoteError("a checkpoint's size or root hash is malformed") from exc
        if size < 0 or len(root) != 32 or str(size) != lines[1]:
            raise NoteError("a checkpoint's size or root hash is malformed")
        time = 0
        for line in lines[3:]:
            if line.startswith("time "):
                time = int(line[5:])
        return cls(lines[0], size, root, time)


def sign_checkpoint(signer: Signer, checkpoint: Checkpoint) -> str:
    """Return the checkpoint as a signed note."""
    return signer.sign(checkpoint.text())


def open_checkpoint(verifier: Verifier, note: str) -> Checkpoint:
    """Return the checkpoint of a signed note after checking its signature; raise NoteError."""
    return Checkpoint.parse(verifier.open(note))
