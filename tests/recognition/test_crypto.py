"""Envelope encryption of templates and images (recognition/crypto.py)."""

import numpy as np
import pytest

from recognition import crypto
from recognition.crypto import DecryptionFailed, owner_aad


@pytest.fixture
def template() -> np.ndarray:
    return np.random.default_rng(1).normal(0, 0.1, 128).astype(np.float32)


@pytest.fixture
def keys() -> dict[str, bytes]:
    master, org = crypto.generate_key(), crypto.generate_key()
    data = crypto.generate_key()
    return {
        "master": master,
        "org": org,
        "data": data,
        "wrapped_org": crypto.wrap_key(master, org, aad=owner_aad(org=1)),
        "wrapped_data": crypto.wrap_key(org, data, aad=owner_aad(org=1, subject=7)),
    }


def test_template_round_trips_through_envelope(keys, template):
    org = crypto.unwrap_key(keys["master"], keys["wrapped_org"], aad=owner_aad(org=1))
    data = crypto.unwrap_key(org, keys["wrapped_data"], aad=owner_aad(org=1, subject=7))
    sealed = crypto.encrypt_template(data, template, aad=owner_aad(org=1, subject=7))

    restored = crypto.decrypt_template(data, sealed, aad=owner_aad(subject=7, org=1))

    assert restored.dtype == np.float32
    assert np.array_equal(restored, template)


def test_ciphertext_is_versioned_and_does_not_repeat(keys):
    one = crypto.encrypt(keys["data"], b"probe image", aad=b"x")
    two = crypto.encrypt(keys["data"], b"probe image", aad=b"x")

    assert one[:1] == b"\x01"
    assert one != two  # fresh nonce each time


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_tampered_ciphertext_fails_to_decrypt(keys, template, position):
    sealed = bytearray(crypto.encrypt_template(keys["data"], template, aad=b"owner"))
    sealed[position] ^= 0x01

    with pytest.raises(DecryptionFailed):
        crypto.decrypt_template(keys["data"], bytes(sealed), aad=b"owner")


def test_truncated_ciphertext_fails_to_decrypt(keys):
    with pytest.raises(DecryptionFailed, match="too short"):
        crypto.decrypt(keys["data"], b"\x01" + b"\x00" * 10, aad=b"")


def test_template_encrypted_for_one_subject_cannot_be_decrypted_as_another(keys, template):
    sealed = crypto.encrypt_template(keys["data"], template, aad=owner_aad(org=1, subject=7))

    with pytest.raises(DecryptionFailed, match="owner is wrong"):
        crypto.decrypt_template(keys["data"], sealed, aad=owner_aad(org=1, subject=8))


def test_data_key_of_one_organization_cannot_be_unwrapped_with_another_organization_key(keys):
    other_org = crypto.generate_key()

    with pytest.raises(DecryptionFailed):
        crypto.unwrap_key(other_org, keys["wrapped_data"], aad=owner_aad(org=1, subject=7))


def test_wrapped_key_cannot_be_decrypted_as_data(keys):
    with pytest.raises(DecryptionFailed, match="not encrypted data"):
        crypto.decrypt(keys["org"], keys["wrapped_data"], aad=owner_aad(org=1, subject=7))


def test_rotating_org_key_rewraps_data_key_without_touching_templates(keys, template):
    subject = owner_aad(org=1, subject=7)
    sealed = crypto.encrypt_template(keys["data"], template, aad=subject)
    new_org = crypto.generate_key()

    rewrapped = crypto.rewrap_key(keys["org"], new_org, keys["wrapped_data"], aad=subject)

    data = crypto.unwrap_key(new_org, rewrapped, aad=subject)
    assert np.array_equal(crypto.decrypt_template(data, sealed, aad=subject), template)
    with pytest.raises(DecryptionFailed):
        crypto.unwrap_key(keys["org"], rewrapped, aad=subject)


def test_master_key_text_round_trips_and_rejects_wrong_length():
    key = crypto.generate_key()

    assert crypto.key_from_text(crypto.key_to_text(key)) == key
    with pytest.raises(ValueError, match="32 bytes"):
        crypto.key_from_text("c2hvcnQ=")
    with pytest.raises(ValueError, match="base64"):
        crypto.key_from_text("not base64 at all!")


def test_key_id_names_a_key_without_revealing_it():
    key = crypto.generate_key()

    assert crypto.key_id(key) == crypto.key_id(key)
    assert crypto.key_id(key) != crypto.key_id(crypto.generate_key())
    assert key.hex()[:16] != crypto.key_id(key)


def test_template_encoding_is_512_bytes_and_refuses_other_shapes(template):
    assert len(crypto.encode_template(template)) == 512
    with pytest.raises(ValueError, match="128 finite"):
        crypto.encode_template(np.zeros(64))
    with pytest.raises(ValueError, match="128 finite"):
        crypto.encode_template(np.full(128, np.nan))
    with pytest.raises(ValueError, match="512 bytes"):
        crypto.decode_template(b"\x00" * 100)
