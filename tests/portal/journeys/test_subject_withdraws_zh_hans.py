"""Journey 5 (issue 19): a data subject signs in to /me/ in Simplified Chinese with an e-mail
code, opens the withdrawal's confirmation step (R13: no harder than consenting), confirms, and
the page then says the consent is withdrawn and no longer recognises them."""

import re

import pytest
from django.core import mail

from consent.models import Consent
from tests.factories import PublishedNoticeFactory
from tests.portal.journeys.conftest import keep_screenshot
from tests.recognition.conftest import make_rec_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subject_withdraws_consent_on_me_in_zh_hans(
    world, live_server, browser, axe, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rec = make_rec_world(world)
    # The organization wrote the purpose's name in both languages (a Chinese notice needs it).
    rec.purpose.name_zh_hans = "办公室门禁"
    rec.purpose.save(update_fields=["name_zh_hans"])
    notice_zh = PublishedNoticeFactory(
        purpose_version=rec.purpose.current_version,
        organization=world.org,
        language="zh-hans",
        purpose_text="开启办公室门禁。",
        alternative_text="工卡加密码，或前台人工核验。",
    )
    ann = rec.subject("李安", email="ann@example.test")
    consent = rec.consent(ann, notice=notice_zh)
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page = context.new_page()

    page.goto(f"{base}/me/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    axe.check(page)
    page.get_by_label("您的电子邮箱地址").fill("ann@example.test")
    page.get_by_role("button", name="给我发送验证码").click()
    page.wait_for_url("**/me/code/")
    axe.check(page)
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("邮件中的6位验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/me/consents/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的同意"
    assert page.get_by_role("heading", name="办公室门禁").is_visible()
    axe.check(page)

    page.get_by_role("link", name="撤回此同意").click()
    page.wait_for_url(f"**/me/**{consent.public_id}**")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    axe.check(page)
    # Still given until the person confirms: the first click only shows what will happen.
    consent.refresh_from_db()
    assert consent.state == Consent.State.ACTIVE
    page.locator("#main form button.danger").click()
    page.wait_for_url("**/me/consents/")
    page.locator("#main [role=status]").wait_for()
    assert page.locator(".state").first.inner_text() == "已撤回"
    axe.check(page)
    consent.refresh_from_db()
    assert consent.state == Consent.State.WITHDRAWN

    keep_screenshot(page, "subject-withdraws-zh-hans", tmp_path)
    context.close()
