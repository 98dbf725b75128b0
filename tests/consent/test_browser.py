"""The whole self-service path in real Chromium, in English and in Simplified Chinese (R10).

E-mail code, the list of consents, withdrawal (one confirm page, one click), a receipt
download; driven by the accessible names (labels, roles) a screen reader would announce.
"""

import re

import pytest
from django.core import mail

from consent.models import Consent
from consent.receipts import receipt_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TEXT = {
    "en": {
        "email": "Your e-mail address",
        "send": "Send me a code",
        "code": "The 6-digit code from the e-mail",
        "sign_in": "Sign in",
        "heading": "My consents",
        "withdraw": "Withdraw this consent",
        "withdrawn": "Withdrawn",
        "download": "Download (JSON)",
    },
    "zh-hans": {
        "email": "您的电子邮箱地址",
        "send": "给我发送验证码",
        "code": "邮件中的6位验证码",
        "sign_in": "登录",
        "heading": "我的同意",
        "withdraw": "撤回此同意",
        "withdrawn": "已撤回",
        "download": "下载（JSON）",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_self_service_path_code_list_withdraw_download(
    cw, live_server, browser, tmp_path, language
):
    consent, _ = cw.grant()
    text = TEXT[language]
    context = browser.new_context(
        accept_downloads=True,
        viewport={"width": 390, "height": 844},  # a phone
        locale="zh-CN" if language == "zh-hans" else "en-GB",
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/me/")
    assert page.locator("html").get_attribute("lang") == language

    page.get_by_label(text["email"]).fill("ann@example.test")
    page.get_by_role("button", name=text["send"]).click()
    page.wait_for_url("**/me/code/")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label(text["code"]).fill(code)
    page.get_by_role("button", name=text["sign_in"], exact=True).click()
    page.wait_for_url("**/me/consents/")
    assert page.get_by_role("heading", level=1).inner_text() == text["heading"]
    # The purpose's name in the page's language (issue 19: an organization writes both).
    purpose_name = cw.purpose.name_zh_hans if language == "zh-hans" else cw.purpose.name
    assert page.get_by_role("heading", name=purpose_name).is_visible()

    # One confirm page and one click, as giving it took (R13), reachable from the keyboard.
    link = page.get_by_role("link", name=text["withdraw"])
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    consent.refresh_from_db()
    assert consent.state == Consent.State.ACTIVE
    button = page.locator("#main form button.danger")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.locator("#main [role=status]")
    assert status.is_visible()
    assert page.locator(".state").first.inner_text() == text["withdrawn"]
    consent.refresh_from_db()
    assert consent.state == Consent.State.WITHDRAWN

    with page.expect_download() as download_info:
        page.get_by_role("link", name=text["download"]).first.click()
    path = tmp_path / "receipt.json"
    download_info.value.save_as(path)
    result = receipt_verify(document=path.read_bytes())
    assert result.valid and result.current_state == "withdrawn"
    context.close()
