"""The rules of docs/regulations.md as the compliance view lists them, and a rule's state.

Each rule carries its status from the regulations' table: C (confirmed) and S (secondary
source) rules are enforced and get a state for the organization; D (2023 Draft only) and U
(unconfirmed) rules, and R53 (penalties: risk context, not a feature), are listed as context.
tests/governance/test_rule_coverage.py checks this list against docs/regulations.md.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ENFORCED = ("C", "S")


@dataclass(frozen=True)
class Rule:
    id: str
    status: str  # "C", "S", "D", "U" (docs/regulations.md); "context" for R53
    summary: Promise

    @property
    def enforced(self) -> bool:
        return self.status in ENFORCED


class State:
    """What a rule's row says. Every state has a word as well as a colour (panel CSS)."""

    MET = "met"
    PARTLY = "partly"
    UNMET = "unmet"
    NOT_APPLICABLE = "not_applicable"
    CONTEXT = "context"

    LABELS = {
        MET: _("Met"),
        PARTLY: _("Partly met"),
        UNMET: _("Unmet"),
        NOT_APPLICABLE: _("Not applicable"),
        CONTEXT: _("Context"),
    }


@dataclass(frozen=True)
class RuleState:
    """A rule's state for one organization.

    ``message`` says what makes it met, what is missing, or why it does not apply. ``fix_url``
    is the form that fixes an unmet or partly met rule ("" when no form exists yet, and always
    "" when the rule is met or does not apply).
    """

    state: str
    message: str
    fix_url: str = ""
    # The API call that fixes it (governance.api_fixes), where a gate names one.
    fix: dict | None = None

    def __post_init__(self):
        if self.state in (State.MET, State.NOT_APPLICABLE, State.CONTEXT):
            object.__setattr__(self, "fix_url", "")
            object.__setattr__(self, "fix", None)


RULES: tuple[Rule, ...] = (
    Rule(
        "R1",
        "C",
        _(
            "The CAC Measures cover recognising people in the PRC, not research or training; PIPL"
            " covers both."
        ),
    ),
    Rule("R2", "C", _("Face recognition only for a declared, specific and necessary purpose.")),
    Rule(
        "R3", "C", _("Face recognition is never the only way: offer a non-biometric alternative.")
    ),
    Rule(
        "R4",
        "C",
        _(
            "No misleading or coercing people into face recognition; declining is as easy as "
            "accepting."
        ),
    ),
    Rule(
        "R5",
        "C",
        _("The national identity authentication service is encouraged for identity checks."),
    ),
    Rule(
        "R6",
        "C",
        _(
            "In public places only for public security, within a defined area, with prominent "
            "signs."
        ),
    ),
    Rule("R7", "C", _("Never in hotel rooms, public bathhouses, changing rooms or toilets.")),
    Rule(
        "R8",
        "C",
        _("Images from public places serve public security only, unless the person consents."),
    ),
    Rule(
        "R9",
        "C",
        _(
            "Before processing, a clear and complete notice: who, why, how, how long, and "
            "people's rights."
        ),
    ),
    Rule("R10", "S", _("Notices and consent must be accessible to elderly and disabled people.")),
    Rule("R11", "C", _("A change of purpose or method needs new consent.")),
    Rule("R12", "C", _("Processing faces needs the person's separate, explicit consent.")),
    Rule("R13", "C", _("People can withdraw consent at any time, as easily as they gave it.")),
    Rule(
        "R14",
        "C",
        _(
            "A service may not be refused to someone who declines, unless face recognition is "
            "necessary for it."
        ),
    ),
    Rule(
        "R15", "C", _("Children under 14 need a guardian's consent and special processing rules.")
    ),
    Rule("R16", "C", _("Consent must be provable; records are kept at least three years.")),
    Rule(
        "R17",
        "C",
        _("In the EU, biometric identification needs explicit consent or another Art. 9 ground."),
    ),
    Rule(
        "R18",
        "C",
        _(
            "In Illinois, a written release naming the purpose and the term comes before "
            "collection."
        ),
    ),
    Rule(
        "R19",
        "C",
        _("Faces stay on the device unless the person separately consents to central storage."),
    ),
    Rule("R20", "C", _("Face data is kept no longer than the purpose needs.")),
    Rule("R21", "U", _("Original face images are not kept unless the person separately consents.")),
    Rule(
        "R22",
        "C",
        _(
            "Delete when the purpose ends, the term expires or consent is withdrawn; otherwise "
            "only store."
        ),
    ),
    Rule(
        "R23",
        "C",
        _(
            "In Illinois, a public retention policy; destroy at the purpose's end or three years "
            "after the last interaction."
        ),
    ),
    Rule(
        "R24",
        "C",
        _("Biometric data is never sold, leased or traded, nor disclosed without consent."),
    ),
    Rule(
        "R25",
        "S",
        _("Giving data to another processor needs separate consent naming the recipient."),
    ),
    Rule("R26", "C", _("Transfers out of China need a legal basis; some data must stay in China.")),
    Rule("R27", "C", _("An impact assessment is approved before processing starts.")),
    Rule("R28", "C", _("The assessment covers lawfulness, impact, risks and protective measures.")),
    Rule(
        "R29", "S", _("A change of purpose or method, or a major incident, needs a new assessment.")
    ),
    Rule("R30", "C", _("Assessments and processing records are kept at least three years.")),
    Rule("R31", "C", _("Every processing step is recorded in a tamper-evident log.")),
    Rule("R32", "S", _("Large-scale biometric processing in the EU needs a DPIA.")),
    Rule(
        "R33", "C", _("Encryption, access control, audit and intrusion defence protect face data.")
    ),
    Rule(
        "R34", "C", _("After a leak, act at once and tell the authorities and the people affected.")
    ),
    Rule(
        "R35",
        "C",
        _("At 100,000 stored individuals, file with the provincial CAC within 30 working days."),
    ),
    Rule("R36", "C", _("Processors over 100,000 before 1 June 2025 had to file by 14 July 2025.")),
    Rule(
        "R37",
        "C",
        _("A substantive change, or the end of processing, is filed within 30 working days."),
    ),
    Rule(
        "R38", "C", _("A filing carries the prescribed forms, the assessment and sealed documents.")
    ),
    Rule("R39", "S", _("The filing count covers a whole group, without counting anyone twice.")),
    Rule(
        "R40", "D", _("The 2023 Draft's lower filing threshold (10,000) was superseded by 100,000.")
    ),
    Rule(
        "R41", "D", _("No inferring race, ethnicity, religion, health or social class from faces.")
    ),
    Rule(
        "R42",
        "D",
        _("Remote identification without people noticing only for security emergencies."),
    ),
    Rule(
        "R43",
        "C",
        _("Decisions with significant effects are never left to face recognition alone."),
    ),
    Rule(
        "R44",
        "D",
        _("Property managers may not make face recognition the only way in (covered by R3)."),
    ),
    Rule("R45", "C", _("People can see and copy their data, in good time.")),
    Rule(
        "R46", "C", _("People can take their data to another processor in a machine-readable form.")
    ),
    Rule("R47", "C", _("People can have their data corrected, completed or deleted promptly.")),
    Rule("R48", "U", _("People can ask for the processing rules to be explained.")),
    Rule("R49", "C", _("Requests are handled; a refusal gives its reason and the way to court.")),
    Rule("R50", "C", _("Requests are answered within the deadline of the jurisdiction.")),
    Rule(
        "R51",
        "S",
        _("The portal operator processes on the organization's behalf under a contract."),
    ),
    Rule("R52", "S", _("Anyone can complain; regulators can inspect.")),
    Rule(
        "R53",
        "context",
        _("Penalties reach RMB 50 million or 5 percent of turnover: context, not a feature."),
    ),
    Rule("R54", "S", _("Identification is accurate, its accuracy declared and kept over time.")),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
