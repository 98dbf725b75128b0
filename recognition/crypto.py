"""Envelope encryption for biometric data: AES-256-GCM at every layer.

master key (settings.MASTER_KEY) -> wraps each organization key -> wraps each subject's data key
-> encrypts that subject's templates, probes and raw images. Rotating a key above re-wraps the
keys below it and never touches a template. Deleting a subject's data key (crypto-shredding) makes
every copy of their data unreadable, backups included.

Every ciphertext is bound to its owner through associated data (`owner_aad(...)`): a template copied
onto another subject's row fails to decrypt instead of matching as that subject. The module is
pure: keys are bytes passed in, never read from settings here.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TEMPLATE_DIM = 128
# Header byte: format version and what the plaintext is, so a wrapped key can never be
# decrypted as data (or the reverse) even under the same key and associated data.
_DATA_V1 = b"\x01"
_WRAPPED_KEY_V1 = b"\x81"


class DecryptionFailed(Exception):
    """Ciphertext altered, wrong key, or bound to another owner: nothing is returned."""


def generate_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def key_to_text(key: bytes) -> str:
    """Return a key as URL-safe base64, the form MASTER_KEY takes in the environment."""
    return base64.urlsafe_b64encode(_checked_key(key)).decode("ascii")


def key_from_text(text: str) -> bytes:
    """Return the key in a URL-safe base64 string; raise ValueError unless it is 32 bytes."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError("the key is not valid URL-safe base64") from exc
    return _checked_key(key)


def key_id(key: bytes) -> str:
    """Return a short public fingerprint of a key, to record which key wrapped what."""
    return hmac.new(_checked_key(key), b"faceconsent key id", hashlib.sha256).hexdigest()[:16]


def owner_aad(**owner: str | int) -> bytes:
    """Return canonical associated data naming a ciphertext's owner.

    e.g. owner_aad(org=3, subject=7, kind="template"). Field order does not matter; any differing
    value makes decryption fail.
    """
    return json.dumps(owner, sort_keys=True, separators=(",", ":")).encode()


def encrypt(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Return header || nonce || AES-256-GCM ciphertext and tag, bound to `aad`."""
    return _seal(_DATA_V1, key, plaintext, aad)


def decrypt(key: bytes, ciphertext: bytes, *, aad: bytes) -> bytes:
    """Return the plaintext; raise DecryptionFailed unless data, key and aad are as sealed."""
    return _open(_DATA_V1, key, ciphertext, aad)


def wrap_key(kek: bytes, key: bytes, *, aad: bytes) -> bytes:
    """Return `key` encrypted under the key-encryption key `kek`, bound to `aad`."""
    return _seal(_WRAPPED_KEY_V1, kek, _checked_key(key), aad)


def unwrap_key(kek: bytes, wrapped: bytes, *, aad: bytes) -> bytes:
    """Return the key inside `wrapped`; raise DecryptionFailed on any mismatch."""
    return _checked_key(_open(_WRAPPED_KEY_V1, kek, wrapped, aad))


def rewrap_key(
    old_kek: bytes, new_kek: bytes, wrapped: bytes, *, aad: bytes, new_aad: bytes | None = None
) -> bytes:
    """Return `wrapped` re-wrapped under `new_kek` (key rotation); data under it is untouched."""
    return wrap_key(new_kek, unwrap_key(old_kek, wrapped, aad=aad), aad=new_aad or aad)


def encode_template(vector: np.ndarray) -> bytes:
    """Return a 128-d template as 512 bytes of little-endian float32."""
    vector = np.asarray(vector)
    if vector.shape != (TEMPLATE_DIM,) or not np.isfinite(vector).all():
        raise ValueError(f"a template is {TEMPLATE_DIM} finite numbers, got shape {vector.shape}")
    return vector.astype("<f4").tobytes()


def decode_template(data: bytes) -> np.ndarray:
    """Return the float32 template encoded by `encode_template`."""
    if len(data) != TEMPLATE_DIM * 4:
        raise ValueError(f"a template is {TEMPLATE_DIM * 4} bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def encrypt_template(key: bytes, vector: np.ndarray, *, aad: bytes) -> bytes:
    """Return a template encrypted under a subject's data key."""
    return encrypt(key, encode_template(vector), aad=aad)


def decrypt_template(key: bytes, ciphertext: bytes, *, aad: bytes) -> np.ndarray:
    """Return the template sealed by `encrypt_template`; raise DecryptionFailed on any mismatch."""
    return decode_template(decrypt(key, ciphertext, aad=aad))


def _seal(header: bytes, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    # Random 96-bit nonces: safe for far more than 2^32 messages per key at our volumes, and
    # every subject has their own data key anyway.
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(_checked_key(key)).encrypt(nonce, plaintext, header + aad)


def _open(header: bytes, key: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    key = _checked_key(key)
    if len(ciphertext) < 1 + NONCE_BYTES + 16:
        raise DecryptionFailed("the ciphertext is too short to be valid")
    if ciphertext[:1] != header:
        kind = "a wrapped key" if header == _WRAPPED_KEY_V1 else "encrypted data"
        raise DecryptionFailed(f"this is not {kind} in a known format")
    nonce = ciphertext[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext[1 + NONCE_BYTES :], header + aad)
    except InvalidTag:
        raise DecryptionFailed(
            "decryption failed: the ciphertext was altered, or the key or its owner is wrong"
        ) from None


def _checked_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise ValueError(f"keys are {KEY_BYTES} bytes")
    return bytes(key)
