"""Sign-in codes and links: only hashes stored, short expiry, single use, paced per address and IP.

Throttling delays and never locks (R13, issue 15): each refusal says how long to wait, the wait
has a cap, and the one-click link in the e-mail works whatever anyone else does.
"""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from consent.errors import Throttled
from consent.models import OneTimeCode
from consent.receipts import display_code
from consent.services import code_request, code_verify, receipt_sign_in
from consent.services.codes import digest, link_sign_in
from tenants.errors import ApplicationError

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def _sent_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _sent_link() -> str:
    return re.search(r"/me/link/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_code_is_sent_by_email_and_only_its_hash_is_stored(cw):
    assert code_request(email="Ann@Example.test", ip="10.0.0.9")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.test"]
    code = _sent_code()
    for row in OneTimeCode.objects.all():  # the code's and the link's
        assert code not in row.code_digest and "ann@" not in row.email_digest
    assert "ann@" not in _sent_link()  # the address travels sealed
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
    assert OneTimeCode.objects.get(email_digest=digest("email", "ann@example.test")).used_at is None


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_is_refused_and_the_code_dies_after_five_failures(cw):
    with time_machine.travel(START, tick=False) as traveller:
        code_request(email="ann@example.test", ip="10.0.0.9")
        code = _sent_code()
        for n in range(5):
            with pytest.raises(ApplicationError, match="wrong"):
                code_verify(email="ann@example.test", code=_wrong(code), ip=f"10.0.1.{n}")
            traveller.shift(datetime.timedelta(seconds=40))
        with pytest.raises(ApplicationError, match="not valid"):
            code_verify(email="ann@example.test", code=code, ip="10.0.2.1")


def test_tries_on_one_code_wait_longer_and_longer(cw):
    with time_machine.travel(START, tick=False) as traveller:
        code_request(email="ann@example.test", ip="10.0.0.9")
        code = _sent_code()
        for n in range(2):  # a typo or two costs nothing
            with pytest.raises(ApplicationError, match="wrong"):
                code_verify(email="ann@example.test", code=_wrong(code), ip=f"10.0.1.{n}")
        waits = []
        for n in range(2):
            with pytest.raises(Throttled) as caught:
                code_verify(email="ann@example.test", code=code, ip="10.0.2.1")
            waits.append(caught.value.details["retry_after"])
            traveller.shift(datetime.timedelta(seconds=waits[-1]))
            with pytest.raises(ApplicationError, match="wrong"):
                code_verify(email="ann@example.test", code=_wrong(code), ip=f"10.0.3.{n}")
        assert waits == [3, 5]  # 2 s, then 4 s (rounded up)
        traveller.shift(datetime.timedelta(seconds=8))
        assert code_verify(email="ann@example.test", code=code, ip="10.0.0.9") == [cw.subject]


def test_code_works_once(cw):
    code_request(email="ann@example.test", ip="10.0.0.9")
    code = _sent_code()
    code_verify(email="ann@example.test", code=code, ip="10.0.0.9")
    with pytest.raises(ApplicationError, match="not valid"):
        code_verify(email="ann@example.test", code=code, ip="10.0.0.9")


def test_code_requests_per_address_are_paced_not_refused(cw):
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(3):
            code_request(email="ann@example.test", ip=f"10.0.0.{n}")
        with pytest.raises(Throttled, match="wait 31 seconds") as caught:
            code_request(email="ann@example.test", ip="10.0.9.9")
        assert len(mail.outbox) == 3
        traveller.shift(datetime.timedelta(seconds=caught.value.details["retry_after"]))
        assert code_request(email="ann@example.test", ip="10.0.9.9")
        with pytest.raises(Throttled, match="wait 61 seconds"):
            code_request(email="ann@example.test", ip="10.0.9.9")


def test_code_request_wait_per_address_never_exceeds_five_minutes(cw):
    with time_machine.travel(START, tick=False) as traveller:
        waits = []
        for _ in range(20):
            try:
                code_request(email="ann@example.test", ip="10.0.0.9")
            except Throttled as exc:
                waits.append(exc.details["retry_after"])
                traveller.shift(datetime.timedelta(seconds=exc.details["retry_after"]))
        assert max(waits) <= 5 * 60 + 1


def test_code_requests_per_ip_are_paced(cw):
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(20):
            code_request(email=f"someone{n}@example.test", ip="10.0.0.7")
        with pytest.raises(Throttled) as caught:
            code_request(email="ann@example.test", ip="10.0.0.7")
        assert mail.outbox == []
        assert caught.value.details["retry_after"] <= 6
        traveller.shift(datetime.timedelta(seconds=caught.value.details["retry_after"]))
        assert code_request(email="ann@example.test", ip="10.0.0.7")


def test_pace_lifts_after_the_window(cw):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(3):
            code_request(email="ann@example.test", ip="10.0.0.9")
        with pytest.raises(Throttled):
            code_request(email="ann@example.test", ip="10.0.0.9")
        traveller.shift(datetime.timedelta(hours=1, seconds=1))
        for _ in range(3):
            assert code_request(email="ann@example.test", ip="10.0.0.9")


def test_brute_force_is_bounded_per_code_and_per_hour(cw):
    """An attacker who waits out every delay still gets few guesses an hour (R13)."""
    guesses, codes = 0, 0
    with time_machine.travel(START, tick=False) as traveller:
        end = START + datetime.timedelta(hours=1)
        while datetime.datetime.now(datetime.UTC) < end:
            try:
                code_request(email="ann@example.test", ip=f"10.1.{codes % 250}.1")
            except Throttled as exc:
                traveller.shift(datetime.timedelta(seconds=exc.details["retry_after"]))
                continue
            codes += 1
            per_code = 0
            while True:
                try:
                    code_verify(
                        email="ann@example.test", code="000000", ip=f"10.2.{guesses % 250}.1"
                    )
                except Throttled as exc:
                    traveller.shift(datetime.timedelta(seconds=exc.details["retry_after"]))
                    continue
                except ApplicationError as exc:
                    if exc.code != "wrong_code":
                        break  # the code died
                guesses += 1
                per_code += 1
            assert per_code <= 5
    assert codes <= 20 and guesses <= 100


def test_link_in_the_email_signs_in_once(cw):
    code_request(email="ann@example.test", ip="10.0.0.9")
    token = _sent_link()
    assert link_sign_in(token=token) == [cw.subject]
    with pytest.raises(ApplicationError, match="already used") as caught:
        link_sign_in(token=token)
    assert caught.value.code == "invalid_link"


def test_forged_or_altered_link_is_refused(cw):
    code_request(email="ann@example.test", ip="10.0.0.9")
    token = _sent_link()
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (altered, "x", "", "A" * 80):
        with pytest.raises(ApplicationError, match="not valid"):
            link_sign_in(token=bad)
    assert link_sign_in(token=token) == [cw.subject]


def test_link_expires_after_thirty_minutes(cw):
    with time_machine.travel(START, tick=False) as traveller:
        code_request(email="ann@example.test", ip="10.0.0.9")
        token = _sent_link()
        traveller.shift(datetime.timedelta(minutes=30, seconds=1))
        with pytest.raises(ApplicationError, match="expired"):
            link_sign_in(token=token)


def test_r13_link_works_while_codes_for_the_address_are_throttled(cw):
    with time_machine.travel(START, tick=False):
        code_request(email="ann@example.test", ip="10.0.0.9")
        token = _sent_link()
        for n in range(2):
            with pytest.raises(ApplicationError):
                code_verify(email="ann@example.test", code="000000", ip=f"10.6.6.{n}")
        with pytest.raises(Throttled):
            code_verify(email="ann@example.test", code="000000", ip="10.6.6.9")
        for n in range(2):  # and the attacker asks for new codes, voiding the old one
            code_request(email="ann@example.test", ip=f"10.6.7.{n}")
        with pytest.raises(Throttled):
            code_request(email="ann@example.test", ip="10.0.0.9")
        assert link_sign_in(token=token) == [cw.subject]


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


def test_receipt_sign_in_is_paced_per_code(cw):
    _consent, receipt = cw.grant()
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(5):
            with pytest.raises(ApplicationError):
                receipt_sign_in(
                    code=receipt.code, date_of_birth=datetime.date(1999, 1, 1), ip=f"10.0.3.{n}"
                )
        with pytest.raises(Throttled) as caught:
            receipt_sign_in(
                code=receipt.code, date_of_birth=cw.subject.date_of_birth, ip="10.0.4.1"
            )
        traveller.shift(datetime.timedelta(seconds=caught.value.details["retry_after"]))
        subject = receipt_sign_in(
            code=receipt.code, date_of_birth=cw.subject.date_of_birth, ip="10.0.4.1"
        )
    assert subject == cw.subject
