"""Journey 1 (issue 19): an owner sets up a deployment from nothing to active, led by the
deployment's set-up checklist and each saved object's next step: the place, a purpose, its
notices, an impact assessment that the DPO signs off (R27: its author, the owner, cannot), a
device, and activation."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import Assessment, Deployment
from tests.portal.journeys.conftest import keep_screenshot, staff_signs_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROSE = "Staff badge readers at the two doors of the head office; described in the site plan."


def _complete_the_rest(form, selector="textarea[required], input[type=text][required]") -> None:
    """Fill each field still empty with plain prose, as the owner would."""
    for box in form.locator(selector).all():
        if box.is_visible() and not box.input_value().strip():
            box.fill(PROSE)


def _submit(page, form, name: str) -> None:
    """Press the form's button and wait for the page it leads to; a refused form fails here."""
    with page.expect_navigation():
        form.get_by_role("button", name=name, exact=True).click()
    errors = page.locator("#main .error, #main .errorlist, #main .errors, .messages li.error")
    assert errors.count() == 0, errors.all_inner_texts()


def _checklist_step(page, label: str):
    """Return the set-up checklist's link for the step that starts with ``label``."""
    return page.locator("#checklist").get_by_role("link", name=label)


def test_owner_sets_up_a_deployment_to_activation(world, live_server, browser, axe, tmp_path):
    owner_device = TOTPDevice.objects.create(user=world.owner, name="phone", confirmed=True)
    dpo_device = TOTPDevice.objects.create(user=world.dpo, name="phone", confirmed=True)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    staff_signs_in(page, base, world.owner, owner_device)
    axe.check(page)

    # The place.
    page.goto(f"{base}/o/acme/")
    axe.check(page)
    page.get_by_role("navigation").get_by_role("link", name="Deployments").click()
    page.wait_for_url("**/o/acme/deployments/")
    axe.check(page)
    page.locator("#main").get_by_role("link", name="New deployment").click()
    axe.check(page)
    form = page.locator("#main form").filter(has=page.get_by_role("button", name="Save"))
    form.get_by_label("Name:", exact=True).fill("Head office doors")
    form.get_by_label("Name (Simplified Chinese)").fill("总部大门")
    form.get_by_label("Address:", exact=True).fill("1 Century Avenue, Pudong")
    form.get_by_label("Province").fill("Shanghai")
    form.get_by_label("Place type").select_option("private_premises")
    form.get_by_label("Storage mode").select_option("central")
    form.get_by_label("Why central storage is needed").fill(
        "Both doors match against one gallery, so a template is kept once, centrally."
    )
    _complete_the_rest(form)
    _submit(page, form, "Save")
    deployment = Deployment.objects.get(name="Head office doors")
    assert page.url.endswith(f"/deployments/{deployment.pk}/")
    axe.check(page)
    # The dashboard's to-do list and the compliance view now name the draft's unmet rules.
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    todo = page.locator(".todo-list").get_by_role(
        "link", name=re.compile(r"Head office doors: \d+ rules? unmet")
    )
    todo.wait_for()
    axe.check(page)
    page.get_by_role("navigation").get_by_role("link", name="Compliance").click()
    page.wait_for_url("**/o/acme/compliance/")
    assert "Head office doors" in page.locator("#main").inner_text()
    axe.check(page)

    # A purpose, then what its page offers next: its notices, and attaching it here.
    page.get_by_role("navigation").get_by_role("link", name="Purposes").click()
    page.locator("#main").get_by_role("link", name="New purpose").click()
    axe.check(page)
    form = page.locator("#main form").filter(has=page.get_by_role("button", name="Save"))
    form.get_by_label("Name:", exact=True).fill("Staff access control")
    form.get_by_label("Name in Simplified Chinese").fill("员工门禁")
    form.get_by_label("Kind").select_option("verify_1to1")
    form.get_by_label("Description").fill("Open the office doors for staff who agreed to it.")
    form.get_by_label("Processing method").fill(
        "A camera at the door compares the face with one template."
    )
    form.get_by_label("Necessity justification").fill("Badges are lent and lost; faces are not.")
    form.get_by_label("Non-biometric alternatives (one per line)").fill("Badge and PIN")
    form.get_by_label("The same alternatives in Simplified Chinese").fill("工卡加密码")
    form.get_by_label("Retention period (days)").fill("365")
    _complete_the_rest(form)
    _submit(page, form, "Save")
    axe.check(page)
    page.locator(".next-steps").get_by_role("link", name="Attach it to Head office doors").click()
    page.wait_for_url(f"**/deployments/{deployment.pk}/**")
    attach = page.locator("#attach-purpose")
    attach.get_by_label("Purpose").select_option(label="Staff access control")
    _submit(page, attach, "Attach")
    axe.check(page)

    # The checklist leads through what the rules still ask: a notice in each language (R9).
    _checklist_step(page, "Publish a notice for each purpose").click()
    for step in (None, "Write the notice in the other language"):
        if step:
            page.locator(".next-steps").get_by_role("link", name=step).click()
        axe.check(page)
        form = page.locator("#notice-form")
        # A notice is published only whole (R9): every text of it, not just the required ones.
        _complete_the_rest(form, "textarea, input[type=text]")
        _submit(page, form, "Publish")
        axe.check(page)
    page.locator(".next-steps").get_by_role(
        "link", name="Continue setting up Head office doors"
    ).click()
    page.wait_for_url(f"**/deployments/{deployment.pk}/**")
    _checklist_step(page, "Have an impact assessment signed off").click()
    axe.check(page)
    form = page.locator("#main form").filter(has=page.get_by_role("button", name="Save"))
    form.get_by_label("Title").fill("Head office doors: face verification")
    # R28: the DPO signs off only an assessment with every section written.
    _complete_the_rest(form, "textarea, input[type=text]")
    _submit(page, form, "Save")
    axe.check(page)
    assessment = Assessment.objects.get(deployment=deployment)
    # R27: the owner wrote it, so the page names who signs off and offers no button.
    assert page.get_by_role("button", name="Sign off as reviewer").count() == 0
    assert "data protection officer signs off" in page.locator("#sign-off").inner_text()

    # The DPO signs it off in their own session.
    dpo_context = browser.new_context(viewport={"width": 1366, "height": 900})
    dpo = dpo_context.new_page()
    staff_signs_in(dpo, base, world.dpo, dpo_device)
    dpo.goto(f"{base}/o/acme/assessments/{assessment.pk}/")
    axe.check(dpo)
    _submit(dpo, dpo.locator("#sign-off"), "Sign off as reviewer")
    axe.check(dpo)
    dpo_context.close()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED

    # Back to the owner: a device, then activation.
    page.goto(f"{base}/o/acme/deployments/{deployment.pk}/")
    _checklist_step(page, "Register a device").click()
    devices = page.locator("#devices form").filter(
        has=page.get_by_role("button", name="Register device")
    )
    devices.get_by_label("Identifier").fill("door-cam-1")
    devices.get_by_label("Location on site").fill("North door")
    _submit(page, devices, "Register device")
    axe.check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.ACTIVE, page.locator("#main").inner_text()
    assert page.locator("#checklist .todo").count() == 0
    axe.check(page)

    keep_screenshot(page, "owner-activation", tmp_path)
    context.close()
