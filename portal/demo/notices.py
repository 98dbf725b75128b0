"""What the demo's notices say, per language (R9: every field filled before publishing)."""

STAFF_ACCESS_NOTICE = {
    "en": {
        "controller_name": "Demo Campus Security Ltd.",
        "controller_contact": (
            "Personal information contact: Zhang Min, dpo@demo.example, +86 21 5555 0100; "
            "100 Demo Road, Pudong New Area, Shanghai."
        ),
        "purpose_text": (
            "We use face recognition at the Headquarters staff entrance only to open the "
            "turnstiles for employees, and for children enrolled in the on-site nursery whose "
            "guardian has consented. It is never used for attendance, performance monitoring or "
            "any other purpose."
        ),
        "method_text": (
            "When you enrol, we take one photo at the reception desk and turn it into a face "
            "template. At the turnstile, a camera facing the lane takes your picture and compares "
            "it with the templates of the people allowed in. If you separately agree to central "
            "storage, your template is kept encrypted on our server in Shanghai and sent to both "
            "turnstiles; otherwise it stays only on the turnstile you choose. The turnstile's "
            "picture is discarded as soon as the comparison is done. Your enrollment photo is "
            "kept only if you separately agree."
        ),
        "retention_text": (
            "Your template is kept while you work here, and at most 365 days after your last "
            "pass. It is deleted at once when you withdraw your consent or leave. Turnstile "
            "pictures are not kept."
        ),
        "necessity_text": (
            "Staff cards are lent and lost, and this entrance leads to the server room and the "
            "nursery. Comparing faces at the turnstile confirms that the person entering is the "
            "card holder, without a guard checking every card."
        ),
        "rights_impact_text": (
            "A false rejection may keep you waiting at the turnstile; the guard at reception "
            "then lets you in with your staff card. A leaked template could let someone "
            "recognise you elsewhere, so templates are encrypted and never given to anyone else. "
            "Refusing face recognition has no effect on your employment."
        ),
        "rights_exercise_text": (
            "You can see, correct, copy or delete your data, withdraw your consent at any time "
            "or ask us to explain the processing: on this site's self-service pages (/me/, sign "
            "in with your e-mail address or a receipt code), at the reception desk, or by "
            "writing to dpo@demo.example. We answer within 15 working days."
        ),
        "alternative_text": (
            "Use your staff card and PIN at the turnstile, or show your card to the guard at "
            "reception. Both stay available at all times and put you at no disadvantage."
        ),
    },
    "zh-hans": {
        "controller_name": "演示园区安保有限公司（Demo Campus Security Ltd.）",
        "controller_contact": (
            "个人信息保护负责人：张敏，dpo@demo.example，+86 21 5555 0100；"
            "上海市浦东新区演示路100号。"
        ),
        "purpose_text": (
            "我们仅在总部员工入口使用人脸识别，用于为员工开启闸机，以及为经监护人同意、"
            "在园区托儿所登记在册的儿童开启闸机。人脸识别不用于考勤、绩效监控或任何其他目的。"
        ),
        "method_text": (
            "登记时，我们在前台为您拍摄一张照片并生成人脸特征模板。通过闸机时，朝向通道的摄像头"
            "拍摄您的图像，并与获准进入人员的模板进行比对。如您单独同意集中存储，您的模板将加密"
            "保存在我们位于上海的服务器上，并同步至两台闸机；否则仅保存在您选择的一台闸机上。"
            "比对完成后，闸机拍摄的图像立即删除。您的登记照片仅在您单独同意时保留。"
        ),
        "retention_text": (
            "您的人脸模板在您任职期间保存，最长不超过您最后一次通行后365天；"
            "您撤回同意或离职时立即删除。闸机拍摄的图像不予保存。"
        ),
        "necessity_text": (
            "员工卡存在借用和遗失的情况，且该入口通往机房和托儿所。在闸机处进行人脸比对，"
            "可以确认进入者就是持卡人本人，而无需保安逐一核验员工卡。"
        ),
        "rights_impact_text": (
            "识别失败可能使您在闸机处稍作等待，此时前台保安将凭员工卡为您放行。模板一旦泄露，"
            "可能被他人用于在其他场合识别您，因此所有模板均加密保存，且不向任何第三方提供。"
            "拒绝人脸识别不会对您的工作产生任何影响。"
        ),
        "rights_exercise_text": (
            "您可以随时通过本网站的自助服务页面（/me/，使用电子邮箱或回执码登录）、前台，"
            "或发送邮件至 dpo@demo.example，查阅、更正、复制或删除您的个人信息，撤回同意，"
            "或要求我们解释处理规则。我们将在15个工作日内答复。"
        ),
        "alternative_text": (
            "您可以在闸机处刷员工卡并输入密码，或在前台向保安出示员工卡。"
            "这两种方式始终可用，不会给您带来任何不利影响。"
        ),
    },
}

# The kiosk's notice is still being written: a draft, so R9 stays unmet until it is published.
VISITOR_NOTICE_DRAFT_EN = {
    "controller_name": "Demo Campus Security Ltd.",
    "controller_contact": "dpo@demo.example, +86 21 5555 0100",
    "purpose_text": "Check in visitors who were invited in advance at the lobby kiosk.",
    "method_text": (
        "The kiosk compares your face with the photo you uploaded with your invitation (1:1)."
    ),
    "retention_text": "7 days after your visit, then deleted.",
    "necessity_text": "",
    "rights_impact_text": "",
    "rights_exercise_text": "",
    "alternative_text": "Show an identity document to the receptionist.",
}
