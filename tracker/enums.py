"""The domain's vocabulary as enums (see docs/domain.md); stored as their lower-case values."""
from __future__ import annotations

import enum

# Labels are lazy: each is translated when shown, in the language of the request that shows it. Where a label is
# stored or written to a machine-read file, the enum's value (or the label under force_locale("en")) is used.
from flask_babel import lazy_gettext as _l


class Status(str, enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    BLOCKED = "blocked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {"not_started": _l("Not started"), "in_progress": _l("In progress"), "completed": _l("Completed"),
                "blocked": _l("Blocked"), "superseded": _l("Superseded")}[self.value]

    @property
    def is_closed(self) -> bool:
        """Closed items are never overdue and get no reminders."""
        return self in CLOSED_STATUSES

    @property
    def style(self) -> str:
        """The Bootstrap colour of this status, in badges and charts' legends alike."""
        return STATUS_STYLES[self]

    @classmethod
    def codes(cls) -> list[str]:
        """The statuses' codes, in the order every table and chart shows them."""
        return [status.value for status in cls]

    @classmethod
    def zero_counts(cls) -> dict[str, int]:
        """A count of 0 for every status: the start of every count by status."""
        return dict.fromkeys(cls.codes(), 0)


class Role(str, enum.Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AGENCY = "agency"
    RAPPORTEUR = "rapporteur"

    @property
    def label(self) -> str:
        return {"admin": _l("Admin"), "coordinator": _l("Coordinator"), "agency": _l("Agency"),
                "rapporteur": _l("Rapporteur")}[self.value]


class AgencyKind(str, enum.Enum):
    FEDERAL_MINISTRY = "federal_ministry"
    FEDERAL_AGENCY = "federal_agency"
    LAW_ENFORCEMENT = "law_enforcement"
    PROVINCIAL_BODY = "provincial_body"
    NGO = "ngo"
    INTERNATIONAL = "international"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "federal_ministry": _l("Federal ministry or division"),
            "federal_agency": _l("Federal agency"),
            "law_enforcement": _l("Law-enforcement body"),
            "provincial_body": _l("Provincial body"),
            "ngo": _l("NGO"),
            "international": _l("International organisation"),
            "other": _l("Other"),
        }[self.value]


class FrameworkKind(str, enum.Enum):
    """What a framework's items are: a plan's own commitments, or recommendations made to the government."""

    PLAN = "plan"
    RECOMMENDATIONS = "recommendations"  # a paper's or a review cycle's recommendations, which plans' actions cover

    @property
    def label(self) -> str:
        return {"plan": _l("Plan"), "recommendations": _l("Recommendations")}[self.value]


class GovernmentResponse(str, enum.Enum):
    """The government's response to a recommendation of a review cycle, as the cycle's report records it."""

    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    NOTED = "noted"  # acknowledged without a commitment to act

    @property
    def label(self) -> str:
        return {"accepted": _l("Accepted"), "partially_accepted": _l("Partially accepted"),
                "noted": _l("Noted")}[self.value]

    @classmethod
    def codes(cls) -> list[str]:
        return [response.value for response in cls]

    @classmethod
    def from_text(cls, text: str) -> GovernmentResponse | None:
        """The response a person wrote, in any case, with spaces, hyphens or underscores ("Partially accepted",
        "partially_accepted"); None if it is none of them."""
        code = "_".join(text.replace("-", " ").replace("_", " ").lower().split())
        return cls(code) if code in cls.codes() else None


class AssignmentRole(str, enum.Enum):
    LEAD = "lead"
    SUPPORTING = "supporting"

    @property
    def label(self) -> str:
        return {"lead": _l("Lead"), "supporting": _l("Supporting")}[self.value]


class Basis(str, enum.Enum):
    """Where a curated fact comes from."""

    STATED = "stated"  # the item's own words in the source
    GROUP = "group"  # the source line governing the item's group
    ASSIGNED = "assigned"  # a curator's or coordinator's choice

    @property
    def label(self) -> str:
        return {
            "stated": _l("stated in the source"),
            "group": _l("stated for its group"),
            "assigned": _l("assigned"),
        }[self.value]


class Priority(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}[self.value]


class UpdateKind(str, enum.Enum):
    PROGRESS = "progress"  # the official status and progress changed (with a note and evidence)
    REPORT = "report"  # a step of an agency's report: submitted, forwarded, returned; official state unchanged
    ASSIGNMENT = "assignment"  # lead or supporting agencies changed
    PLANNING = "planning"  # due date or priority changed


class ReportStage(str, enum.Enum):
    """Where an agency's report stands on its way to becoming the official state."""

    VALIDATION = "validation"  # awaiting the agency's validator
    COORDINATION = "coordination"  # awaiting a coordinator
    VERIFIED = "verified"  # a coordinator accepted it: it is the official state
    RETURNED = "returned"  # sent back with a comment, to be corrected and submitted again
    WITHDRAWN = "withdrawn"  # replaced by a later report of the same agency before anyone decided

    @property
    def is_pending(self) -> bool:
        """Awaiting someone's decision."""
        return self in PENDING_STAGES

    @property
    def label(self) -> str:
        return {
            "validation": _l("awaiting the agency's validator"),
            "coordination": _l("awaiting a coordinator"),
            "verified": _l("verified"),
            "returned": _l("returned"),
            "withdrawn": _l("replaced by a later report"),
        }[self.value]


class Decision(str, enum.Enum):
    """What a validator (forward, return) or a coordinator (verify, return) decides on a pending report."""

    FORWARD = "forward"
    VERIFY = "verify"
    RETURN = "return"

    @property
    def step(self) -> ReportStep:
        return {"forward": ReportStep.FORWARDED, "verify": ReportStep.VERIFIED, "return": ReportStep.RETURNED}[
            self.value]


class ReportStep(str, enum.Enum):
    """What a history entry of the reporting cycle records."""

    SUBMITTED = "submitted"  # an agency reported; the official state is unchanged
    FORWARDED = "forwarded"  # the agency's validator passed it on to the coordinators
    RETURNED = "returned"  # sent back to the agency with a comment
    VERIFIED = "verified"  # a coordinator accepted it: the official state changed
    OFFICIAL = "official"  # a coordinator's own update, official at once

    @property
    def label(self) -> str:
        return {
            "submitted": _l("report submitted"),
            "forwarded": _l("forwarded to the coordinators"),
            "returned": _l("returned to the agency"),
            "verified": _l("verified: now the official state"),
            "official": _l("coordinator's update: official at once"),
        }[self.value]


class ReminderRule(str, enum.Enum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    STALE = "stale"
    SUMMARY = "summary"  # coordinators' weekly summary
    VALUES_OVERDUE = "values_overdue"  # an indicator's period past its due date with nothing sent
    REPORT_WAITING = "report_waiting"  # a report has waited too long for a validator's or coordinator's decision


class DeliveryState(str, enum.Enum):
    CLAIMED = "claimed"  # taken by a run that is sending it
    SENT = "sent"  # the SMTP server accepted it
    IN_APP = "in_app"  # shown in the app only: the user turned e-mail off
    FAILED = "failed"  # to be tried again by the next run
    # The message went out in full but the server's answer never came: it may have been delivered.
    # Never resent by a run; an admin confirms it (-> sent) or asks for it again (-> failed).
    UNCERTAIN = "uncertain"


class UpdateOrigin(str, enum.Enum):
    SOURCE = "source"  # derived from a source document by the seed
    USER = "user"


class AuditEventKind(str, enum.Enum):
    """What the audit log records: security-relevant events, each written where it happens."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"  # a wrong password, an unknown e-mail or a deactivated account
    LOCKOUT = "lockout"  # a login refused unchecked: too many attempts for the e-mail or the address
    LOGOUT = "logout"
    PASSWORD_RESET = "password_reset"  # by an admin (the old password stops working), or by the reset command
    PASSWORD_LINK_SENT = "password_link_sent"  # a welcome or reset link e-mailed (or asked for, or not delivered)
    PASSWORD_SET = "password_set"  # by the user: with a link, or on a first login with a one-time password
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_CHANGED = "account_changed"  # role, agency, active or deactivated
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    EXPORT = "export"
    IMPORT = "import"
    IMPORT_REFUSED = "import_refused"
    EVIDENCE_DOWNLOAD = "evidence_download"  # confidential evidence only
    BACKUP = "backup"
    RESTORE = "restore"
    REPORT_SUBMITTED = "report_submitted"  # an indicator's values reported (an item's report is in its history)
    REPORT_DECISION = "report_decision"  # a report forwarded, verified or returned
    VALIDATOR_CHANGED = "validator_changed"  # a validator appointed or removed
    INDICATOR_CHANGED = "indicator_changed"  # an indicator defined, changed, retired or deleted: what gets counted
    RAPPORTEUR_REPORT = "rapporteur_report"  # the Rapporteur's report asked for, generated (or failed), downloaded
    ASSESSMENT = "assessment"  # the rapporteur's independent assessment of an item for a year
    COVERAGE = "coverage"  # a link between a recommendation and an action addressing it added or removed

    @property
    def label(self) -> str:
        return AUDIT_EVENT_LABELS[self.value]


class AssessmentRating(str, enum.Enum):
    """The National Rapporteur's independent rating of how far an item was done in a year, kept beside (never
    replacing) the official status the government reports."""

    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"
    NOT_ASSESSABLE = "not_assessable"  # too little is known to rate it

    @property
    def label(self) -> str:
        return {"not_started": _l("Not started"), "limited": _l("Limited"), "substantial": _l("Substantial"),
                "complete": _l("Complete"), "not_assessable": _l("Not assessable")}[self.value]

    @property
    def style(self) -> str:
        """The Bootstrap colour of this rating's badge."""
        return RATING_STYLES[self]

    @classmethod
    def codes(cls) -> list[str]:
        return [rating.value for rating in cls]


class FindingKind(str, enum.Enum):
    CHALLENGE = "challenge"
    ACHIEVEMENT = "achievement"

    @property
    def plural(self) -> str:
        return self.value + "s"

    @property
    def label(self) -> str:
        return {"challenge": _l("Challenge"), "achievement": _l("Achievement")}[self.value]

    @property
    def plural_label(self) -> str:
        return {"challenge": _l("Challenges"), "achievement": _l("Achievements")}[self.value]


PENDING_STAGES = frozenset({ReportStage.VALIDATION, ReportStage.COORDINATION})

class IndicatorKind(str, enum.Enum):
    """What an indicator's values are."""

    COUNT = "count"  # whole numbers, never negative
    PERCENTAGE = "percentage"  # 0 to 100
    AMOUNT = "amount"  # an amount in PKR
    YES_NO = "yes_no"  # 1 for yes, 0 for no

    @property
    def label(self) -> str:
        return {"count": _l("Count"), "percentage": _l("Percentage"), "amount": _l("Amount (PKR)"),
                "yes_no": _l("Yes / no")}[self.value]


class Direction(str, enum.Enum):
    """Which way is better for an indicator's values."""

    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> str:
        return {"higher": _l("higher is better"), "lower": _l("lower is better")}[self.value]


class Frequency(str, enum.Enum):
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return {"quarterly": _l("Quarterly"), "yearly": _l("Yearly")}[self.value]


class Breakdown(str, enum.Enum):
    """A dimension an indicator's values may be reported by (each optional per indicator)."""

    PROVINCE = "province"
    SEX = "sex"
    AGE = "age"
    EXPLOITATION = "exploitation"

    @property
    def label(self) -> str:
        return {"province": _l("Province"), "sex": _l("Sex"), "age": _l("Age group"),
                "exploitation": _l("Form of exploitation")}[self.value]


class Sex(str, enum.Enum):
    FEMALE = "female"
    MALE = "male"
    TRANSGENDER = "transgender"  # recognised in law by the Transgender Persons (Protection of Rights) Act, 2018

    @property
    def label(self) -> str:
        return {"female": _l("Female"), "male": _l("Male"), "transgender": _l("Transgender")}[self.value]


class AgeGroup(str, enum.Enum):
    CHILD = "child"  # under 18
    ADULT = "adult"

    @property
    def label(self) -> str:
        return {"child": _l("Child (under 18)"), "adult": _l("Adult")}[self.value]


class Exploitation(str, enum.Enum):
    SEXUAL = "sexual"
    FORCED_LABOUR = "forced_labour"
    BONDED_LABOUR = "bonded_labour"
    DOMESTIC_SERVITUDE = "domestic_servitude"
    BEGGING = "begging"
    ORGAN_REMOVAL = "organ_removal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"sexual": _l("Sexual exploitation"), "forced_labour": _l("Forced labour"),
                "bonded_labour": _l("Bonded labour"), "domestic_servitude": _l("Domestic servitude"),
                "begging": _l("Forced begging"), "organ_removal": _l("Organ removal"), "other": _l("Other")}[self.value]


# Completed and superseded items are *closed*: never overdue, never reminded of.
CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.SUPERSEDED})

STATUS_STYLES = {
    Status.NOT_STARTED: "secondary",
    Status.IN_PROGRESS: "primary",
    Status.COMPLETED: "success",
    Status.BLOCKED: "danger",
    Status.SUPERSEDED: "dark",
}


class GenerationState(str, enum.Enum):
    """Where a generated document stands: queued for the scheduler process, being written, done, or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": _l("waiting to start"), "running": _l("being written"), "done": _l("done"),
                "failed": _l("failed")}[self.value]


RATING_STYLES = {
    AssessmentRating.NOT_STARTED: "secondary",
    AssessmentRating.LIMITED: "warning",
    AssessmentRating.SUBSTANTIAL: "info",
    AssessmentRating.COMPLETE: "success",
    AssessmentRating.NOT_ASSESSABLE: "light",
}

AUDIT_EVENT_LABELS = {
    "login": _l("Login"),
    "login_failed": _l("Login failed"),
    "lockout": _l("Lockout"),
    "logout": _l("Logout"),
    "password_reset": _l("Password reset"),
    "password_link_sent": _l("Password link sent"),
    "password_set": _l("Password set"),
    "account_created": _l("Account created"),
    "account_changed": _l("Account changed"),
    "token_created": _l("Token created"),
    "token_revoked": _l("Token revoked"),
    "export": _l("Export"),
    "import": _l("Import"),
    "import_refused": _l("Import refused"),
    "evidence_download": _l("Evidence download"),
    "backup": _l("Backup"),
    "restore": _l("Restore"),
    "report_submitted": _l("Report submitted"),
    "report_decision": _l("Report decision"),
    "validator_changed": _l("Validator changed"),
    "indicator_changed": _l("Indicator changed"),
    "rapporteur_report": _l("Rapporteur report"),
    "assessment": _l("Assessment"),
    "coverage": _l("Coverage"),
}
