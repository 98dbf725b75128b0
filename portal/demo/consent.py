"""The demo's people: subjects, their consents at the desk, a withdrawal and a data request.

Each person is found by their staff or nursery reference; a person already on file is left as
they are, so a second run grants, withdraws and files nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from audit.actors import Actor
from consent.models import Consent, Subject
from consent.selectors import minor_rules_current
from consent.services import (
    Evidence,
    Guardian,
    consent_grant,
    consent_withdraw,
    minor_rules_publish,
    subject_create,
)
from dsr.models import DataRequest
from dsr.services.filing import dsr_request_file
from governance.selectors import notice_published_for
from portal.demo.governance import GovernanceDemo
from portal.demo.organization import Members, user_actor

# The version string the panel's desk form records (portal/panel/consent/pages.py).
DESK_FORM_VERSION = "panel-paper-2026.1"

MINOR_RULES_TITLE = (
    "Children's face data at the Headquarters nursery / 总部托儿所儿童人脸信息处理规则"
)
MINOR_RULES_BODY = """\
1. Only a parent or legal guardian may consent for a child under 14, at the reception desk, after
   showing their resident identity card and the child's household register.
2. The child's template is used only to open the staff entrance with the guardian, and is kept on
   the turnstile, never centrally. No photo of the child is kept after enrollment.
3. The template is deleted when the child leaves the nursery, when the guardian withdraws consent,
   and at the latest 365 days after the child's last pass.
4. When the child turns 14 the DPO reviews the record with the family before any further use.

1. 未满十四周岁儿童的同意只能由其父母或其他监护人在前台出示本人居民身份证和儿童户口簿后作出。
2. 儿童的人脸模板仅用于在监护人陪同下开启员工入口闸机，只保存在闸机上，不集中存储；
   登记后不保留儿童照片。
3. 儿童离开托儿所、监护人撤回同意时立即删除模板，最迟在儿童最后一次通行后365天删除。
4. 儿童年满十四周岁时，个人信息保护负责人将与家庭共同复核相关记录，之后方可继续处理。
"""


@dataclass(frozen=True)
class Person:
    ref: str
    name: str
    email: str
    phone: str
    born: date | None
    language: str
    central_storage: bool = False
    raw_images: bool = False
    guardian: Guardian | None = None
    withdraws: bool = False
    asks_for_access: bool = False


def _nine_years_ago() -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - 9)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 9, day=28)


def people() -> list[Person]:
    return [
        Person(
            "EMP-1001",
            "Wang Fang 王芳",
            "wang.fang@example.test",
            "+86 138 0000 1001",
            date(1988, 3, 14),
            "zh-hans",
            central_storage=True,
            raw_images=True,
        ),
        Person(
            "EMP-1002",
            "Li Qiang 李强",
            "li.qiang@example.test",
            "+86 138 0000 1002",
            date(1979, 11, 2),
            "zh-hans",
            central_storage=True,
            raw_images=True,
        ),
        # Accepts face recognition but declines keeping the enrollment photo (R21).
        Person(
            "EMP-1003",
            "Zhang Wei 张伟",
            "zhang.wei@example.test",
            "+86 138 0000 1003",
            date(1992, 7, 21),
            "zh-hans",
            central_storage=True,
            raw_images=False,
        ),
        Person(
            "EMP-1004",
            "Liu Yang 刘洋",
            "liu.yang@example.test",
            "+86 138 0000 1004",
            date(1995, 1, 30),
            "en",
            central_storage=True,
            raw_images=True,
            withdraws=True,
        ),
        Person(
            "EMP-1005",
            "Chen Jing 陈静",
            "chen.jing@example.test",
            "+86 138 0000 1005",
            date(1985, 9, 9),
            "zh-hans",
            central_storage=True,
            asks_for_access=True,
        ),
        # Declines central storage: the template stays on one turnstile (R19).
        Person(
            "EMP-1006",
            "Emily Carter 艾米莉·卡特",
            "emily.carter@example.test",
            "+86 138 0000 1006",
            date(1990, 5, 17),
            "en",
        ),
        Person(
            "EMP-1007",
            "Zhao Lei 赵磊",
            "zhao.lei@example.test",
            "+86 138 0000 1007",
            date(1983, 12, 12),
            "zh-hans",
            central_storage=True,
        ),
        # R15: under 14, so only her mother (EMP-1001) consents, under the published rules. The
        # mother's address is the child's contact: the self-service pages offer both records.
        Person(
            "NURSERY-0001",
            "Wang Xiaoyu 王小雨",
            "wang.fang@example.test",
            "",
            _nine_years_ago(),
            "zh-hans",
            guardian=Guardian(
                name="Wang Fang 王芳",
                relationship="mother",
                verification=(
                    "Resident identity card checked against staff record EMP-1001; "
                    "child's household register (hukou) seen at the desk"
                ),
                evidence="Signed guardian consent form GC-0001, filed by HR",
            ),
        ),
    ]


def _minor_rules(organization, members: Members, log) -> None:
    if minor_rules_current(organization=organization) is None:
        minor_rules_publish(
            organization=organization,
            actor=user_actor(members.dpo),
            title=MINOR_RULES_TITLE,
            body=MINOR_RULES_BODY,
        )
        log("published the rules for minors' face data")


def _register(organization, members: Members, demo: GovernanceDemo, person: Person, log) -> None:
    operator = user_actor(members.operator)
    subject = Subject.objects.for_org(organization).filter(external_ref=person.ref).first()
    if subject is not None:
        return
    subject = subject_create(
        organization=organization,
        actor=operator,
        external_ref=person.ref,
        display_name=person.name,
        email=person.email,
        phone=person.phone,
        date_of_birth=person.born,
    )
    version = demo.staff_access.current_version
    consent, _receipt = consent_grant(
        subject=subject,
        purpose_version=version,
        notice=notice_published_for(purpose_version=version, language=person.language),
        actor=operator,
        evidence=Evidence(
            channel=Consent.Channel.PAPER,
            consent_ui_version=DESK_FORM_VERSION,
            collected_by_id=members.operator.pk,
        ),
        kind=Consent.Kind.GUARDIAN if person.guardian else Consent.Kind.SEPARATE,
        deployment=demo.headquarters,
        central_storage=person.central_storage,
        raw_images=person.raw_images,
        guardian=person.guardian,
    )
    log(f"recorded the consent of {person.ref} {person.name} ({person.language} notice)")
    # What the person later does on the self-service pages, as themselves.
    themselves = Actor.subject(str(subject.pseudonym))
    if person.withdraws:
        consent_withdraw(consent=consent, actor=themselves, channel=Consent.Channel.WEB)
        log(f"{person.ref} withdrew their consent on the self-service pages")
    if person.asks_for_access:
        dsr_request_file(
            subject=subject,
            kind=DataRequest.Kind.ACCESS,
            message=(
                "请告诉我你们保存了我的哪些人脸数据和通行记录。"
                "Please tell me which face data and entrance records you hold about me."
            ),
            channel=DataRequest.Channel.SELF_SERVICE,
            actor=themselves,
            language=person.language,
        )
        log(f"{person.ref} asked to see their data")


def seed_consent(*, organization, members: Members, demo: GovernanceDemo, log) -> None:
    """Publish the minors' rules, then register each demo person who is not on file yet."""
    _minor_rules(organization, members, log)
    for person in people():
        _register(organization, members, demo, person, log)
