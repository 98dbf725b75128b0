"""Ed25519 signing of receipts, canonical JSON, and wrapping of private keys at rest.

The private keys are wrapped with AES-256-GCM under a key derived (HKDF-SHA256) from
settings.MASTER_KEY, with the organization and kid bound in as associated data, so a wrapped
key copied to another organization's row does not unwrap. Consent cannot import recognition's
crypto module (layering), hence this small wrap of its own.
"""

import base64
import binascii
import json
import secrets

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ALGORITHM = "EdDSA"
_WRAP_INFO = b"faceconsent/consent/signing-key-wrap/v1"
_NONCE_BYTES = 12


def b64u_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly: a text that does not re-encode identically raises.

    Lenient decoders ignore the unused low bits of the last character, so two spellings would
    decode to one signature; a receipt with one altered character must not verify.
    """
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64u_encode(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def canonical_json(value) -> bytes:
    """Return the bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _wrapping_key() -> bytes:
    master = base64.urlsafe_b64decode(settings.MASTER_KEY + "=" * (-len(settings.MASTER_KEY) % 4))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_WRAP_INFO).derive(master)


def _aad(organization_id: int, kid: str) -> bytes:
    return f"org:{organization_id}|kid:{kid}".encode()


def new_kid() -> str:
    return "ck_" + secrets.token_hex(8)


def generate_keypair(*, organization_id: int, kid: str) -> tuple[str, str]:
    """Return ``(public_key_b64u, wrapped_private_key)`` for a fresh Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(_wrapping_key()).encrypt(nonce, raw_private, _aad(organization_id, kid))
    return b64u_encode(raw_public), b64u_encode(nonce + sealed)


def _unwrap(*, organization_id: int, kid: str, wrapped: str) -> Ed25519PrivateKey:
    blob = b64u_decode(wrapped)
    try:
        raw = AESGCM(_wrapping_key()).decrypt(
            blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _aad(organization_id, kid)
        )
    except InvalidTag as exc:
        raise ValueError("the signing key does not unwrap under this master key") from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(*, organization_id: int, kid: str, wrapped: str, message: bytes) -> str:
    """Return the base64url Ed25519 signature of ``message``."""
    key = _unwrap(organization_id=organization_id, kid=kid, wrapped=wrapped)
    return b64u_encode(key.sign(message))


def verify(*, public_key_b64u: str, message: bytes, signature_b64u: str) -> bool:
    """Return True when the signature is a valid Ed25519 signature of ``message``."""
    try:
        public = Ed25519PublicKey.from_public_bytes(b64u_decode(public_key_b64u))
        public.verify(b64u_decode(signature_b64u), message)
    except (ValueError, InvalidSignature):
        return False
    return True
