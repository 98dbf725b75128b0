"""Sign-in codes: only hashes stored, 10-minute expiry, single use, throttled per address and IP."""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from consent.errors import Throttled
from consent.models import OneTimeCode
from consent.receipts import display_code
from consent.services import code_request, code_verify, receipt_sign_in
from tenants.errors import ApplicationError

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def _sent_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_code_is_sent_by_email_and_only_its_hash_is_stored(cw):
    assert code_request(email="Ann@Example.test", ip="10.0.0.9")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.test"]
    code = _sent_code()
    row = OneTimeCode.objects.get()
    assert code not in row.code_digest and "ann@" not in row.email_digest
    assert code_verify(email="ann@example.test", code=code, ip="10.0.0.9") == [cw.subject]


def test_unknown_address_gets_no_mail_but_the_same_answer(cw):
    assert code_request(email="nobody@example.test", ip="10.0.0.9") is False
    assert mail.outbox == [] and OneTimeCode.objects.count() == 0


def test_expired_code_is_refused_with_a_clear_error(cw):
    with time_machine.travel(START, tick=False) as traveller:
        code_request(email="ann@example.test", ip="10.0.0.9")
        code = _sent_code()
        traveller.shift(datetime.timedelta(minutes=10, seconds=1))
        with pytest.raises(ApplicationError, match="expired") as exc:
            code_verify(email="ann@example.test", code=code, ip="10.0.0.9")
    assert exc.value.code == "code_expired"
    assert OneTimeCode.objects.get().used_at is None


def test_wrong_code_is_refused_and_the_code_dies_after_five_failures(cw):
    code_request(email="ann@example.test", ip="10.0.0.9")
    code = _sent_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ApplicationError, match="wrong"):
            code_verify(email="ann@example.test", code=wrong, ip=f"10.0.1.{_}")
    with pytest.raises((ApplicationError, Throttled)):
        code_verify(email="ann@example.test", code=code, ip="10.0.2.1")


def test_code_works_once(cw):
    code_request(email="ann@example.test", ip="10.0.0.9")
    code = _sent_code()
    code_verify(email="ann@example.test", code=code, ip="10.0.0.9")
    with pytest.raises(ApplicationError, match="not valid"):
        code_verify(email="ann@example.test", code=code, ip="10.0.0.9")


def test_code_requests_are_throttled_per_address(cw):
    for _ in range(3):
        code_request(email="ann@example.test", ip=f"10.0.0.{_}")
    with pytest.raises(Throttled):
        code_request(email="ann@example.test", ip="10.0.9.9")
    assert len(mail.outbox) == 3


def test_code_requests_are_throttled_per_ip(cw):
    for n in range(20):
        code_request(email=f"someone{n}@example.test", ip="10.0.0.7")
    with pytest.raises(Throttled):
        code_request(email="ann@example.test", ip="10.0.0.7")
    assert mail.outbox == []


def test_throttle_lifts_after_the_window(cw):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(3):
            code_request(email="ann@example.test", ip="10.0.0.9")
        with pytest.raises(Throttled):
            code_request(email="ann@example.test", ip="10.0.0.9")
        traveller.shift(datetime.timedelta(minutes=16))
        assert code_request(email="ann@example.test", ip="10.0.0.9")


def test_receipt_code_and_date_of_birth_sign_in(cw):
    _consent, receipt = cw.grant()
    subject = receipt_sign_in(
        code=display_code(receipt.code).lower(),
        date_of_birth=cw.subject.date_of_birth,
        ip="10.0.0.9",
    )
    assert subject == cw.subject
    with pytest.raises(ApplicationError, match="do not match"):
        receipt_sign_in(code=receipt.code, date_of_birth=datetime.date(1999, 1, 1), ip="10.0.0.9")


def test_receipt_sign_in_is_throttled_per_code(cw):
    _consent, receipt = cw.grant()
    for n in range(5):
        with pytest.raises(ApplicationError):
            receipt_sign_in(
                code=receipt.code, date_of_birth=datetime.date(1999, 1, 1), ip=f"10.0.3.{n}"
            )
    with pytest.raises(Throttled):
        receipt_sign_in(code=receipt.code, date_of_birth=cw.subject.date_of_birth, ip="10.0.4.1")
