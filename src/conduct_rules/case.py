"""The input contract: a case, as ``../shared/contract.md`` gives it.

Why so strict: a compliance answer built on a silently coerced or ignored field is worse than no
answer. Unknown fields are errors, booleans must be booleans (``"false"`` is not ``False``),
counts are bounded, and the model is immutable so an assessment can never see a case change.
List fields are normalised (sorted, duplicates of ``documented`` dropped) so that the result never
depends on the order the caller listed them in (domain.md §3, edge case 12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
)

__all__ = [
    "Alternatives",
    "Attempt",
    "Case",
    "Client",
    "Consultation",
    "CourtOrder",
    "Member",
    "Services",
    "TerminationSession",
    "Transfer",
]

Stage = Literal["considering", "ended", "continued"]
Initiator = Literal["member", "client"]
SessionStatus = Literal["held", "scheduled", "attempted", "not_attempted", "declined_by_client"]
Modality = Literal["in_person", "video", "phone", "none"]
Channel = Literal["email", "phone", "letter", "text", "in_person", "video"]
DocumentationId = Literal[
    "decision_rationale",
    "consultations",
    "alternatives_and_referrals",
    "contact_attempts",
    "termination_session",
    "legal_advice",
    "safety_concerns",
    "written_notice",
    "client_consent",
    # CRPO Standard 6.3 (2024): the records 6.3.4 and "demonstrating the standard" name.
    "discontinuation_reasons",
    "client_condition",
    "discharge_plan",
    "discontinuation_conversation",
]

#: The allowed values of each enumerated field, in the contract's order (for generators).
STAGES: tuple[str, ...] = get_args(Stage)
SESSION_STATUSES: tuple[str, ...] = get_args(SessionStatus)
MODALITIES: tuple[str, ...] = get_args(Modality)
CHANNELS: tuple[str, ...] = get_args(Channel)
DOCUMENTATION_IDS: tuple[str, ...] = get_args(DocumentationId)

#: Upper bound for counts: far above any real caseload, low enough to reject garbage.
MAX_COUNT = 10_000
#: Upper bound for notice, in days (ten years).
MAX_NOTICE_DAYS = 3_650
#: Upper bound on listed contact attempts.
MAX_ATTEMPTS = 1_000

#: Upper bound on the ``documented`` list (duplicates count: it is checked before they are dropped).
MAX_DOCUMENTED = 100

Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


def _bounded_list(value: Any, limit: int) -> Any:
    """Reject an over-long list before its items are validated one by one.

    Why: pydantic checks ``max_length`` only after validating every item, so a list of a million
    bad items cost seconds and a million error entries before being refused.
    """
    if isinstance(value, list | tuple) and len(value) > limit:
        raise ValueError(f"too many items (at most {limit})")
    return value


class _Part(BaseModel):
    """Common configuration: unknown fields rejected, immutable, no coercion of booleans.

    ``hide_input_in_errors``: ``Case.model_validate`` (the contract's entry point) raises
    pydantic's own error, whose message would otherwise quote the client's values.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class Services(_Part):
    """What the client needs and wants, and whether this service helps (2.8; 3.8; 3.9)."""

    needed: StrictBool = True
    requested: StrictBool = True
    likely_to_benefit: StrictBool = True


class Client(_Part):
    """The client's own steps towards ending (2.8 i and ii); for CRPO 6.3, wishes and reasons."""

    requested_termination: StrictBool = False
    withdrew: StrictBool = False
    # CRPO Standard 6.3 (2024), read only by the crpo-6.3 ruleset; defaults keep old cases valid.
    interested_in_further_treatment: StrictBool = True  # 6.3.3
    informed_of_reasons: StrictBool = False  # 6.3.4: the reasons were clearly communicated


class Member(_Part):
    """The member's situation: risk (2.8 v), safety, objectivity (3.8, scenario 3).

    ``lacks_competence`` and ``relationship_untenable`` (contract v1.1) are the other grounds the
    note's introduction names for considering an ending; both default to false, so a v1 case
    still parses and means what it meant.

    ``good_faith`` and ``reason_protected_ground`` serve the CRPO ruleset (6.3.1, 6.3.2); their
    defaults describe an ordinary ending, so a case written for Ontario reads the same there.
    """

    serious_risk_of_harm: StrictBool = False
    feels_unsafe: StrictBool = False
    threats_received: StrictBool = False
    objectivity_impaired: StrictBool = False
    lacks_competence: StrictBool = False
    relationship_untenable: StrictBool = False
    # CRPO Standard 6.3 (2024), read only by the crpo-6.3 ruleset; defaults keep old cases valid.
    good_faith: StrictBool = True  # 6.3.1 and "demonstrating the standard"
    reason_protected_ground: StrictBool = False  # 6.3.2: a ground the Human Rights Code protects


class CourtOrder(_Part):
    """A court order naming the member (scenario 2)."""

    applies: StrictBool = False
    legal_advice_obtained: StrictBool = False
    court_direction_sought: StrictBool = False


class Alternatives(_Part):
    """Alternative or replacement services (2.8 iii and iv; scenario 2's questions)."""

    efforts_made: StrictBool = False
    providers_offered: Count = 0
    client_supported_to_connect: StrictBool = False
    opportunity_given: StrictBool = False
    notice_days: Annotated[StrictInt, Field(ge=0, le=MAX_NOTICE_DAYS)] | None = None


class Attempt(_Part):
    """One attempt to arrange a termination session."""

    channel: Channel
    date: dt.date

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        # pydantic's lax mode would read a number as a Unix timestamp: a date here must be a
        # date or an ISO 8601 ``YYYY-MM-DD`` string, nothing that merely converts to one.
        if isinstance(value, dt.datetime):
            raise ValueError("expected a date (YYYY-MM-DD), not a date-time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and len(value) == 10:
            return value
        raise ValueError("expected a date in the form YYYY-MM-DD")


class TerminationSession(_Part):
    """The termination session owed under 2.8 in cases i-iv, and the attempts to hold it."""

    status: SessionStatus = "not_attempted"
    modality: Modality = "none"
    attempts: tuple[Attempt, ...] = Field(default=(), max_length=MAX_ATTEMPTS)

    @field_validator("attempts", mode="before")
    @classmethod
    def _not_too_many_attempts(cls, value: Any) -> Any:
        return _bounded_list(value, MAX_ATTEMPTS)

    @field_validator("attempts", mode="after")
    @classmethod
    def _canonical_order(cls, value: tuple[Attempt, ...]) -> tuple[Attempt, ...]:
        return tuple(sorted(value, key=lambda a: (a.date, a.channel)))


class Consultation(_Part):
    """Consultation obtained (the note's conclusion)."""

    supervision: StrictBool = False
    college: StrictBool = False
    legal: StrictBool = False


class Transfer(_Part):
    """A summary of the work sent to a new provider (scenario 1)."""

    summary_to_new_provider: StrictBool = False
    client_consent: StrictBool = False


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("case_id must not be blank")
    return value


#: A case's identifier: the one value assessments echo (also a flat record's, ``record.py``).
CaseId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]


class Case(_Part):
    """One case: what the client needs, who wants to end, what was tried, what was recorded."""

    case_id: CaseId
    stage: Stage = "considering"
    initiated_by: Initiator = "member"
    services: Services = Services()
    client: Client = Client()
    member: Member = Member()
    court_order: CourtOrder = CourtOrder()
    alternatives: Alternatives = Alternatives()
    termination_session: TerminationSession = TerminationSession()
    consultation: Consultation = Consultation()
    transfer: Transfer = Transfer()
    documented: tuple[DocumentationId, ...] = Field(default=(), max_length=MAX_DOCUMENTED)

    @field_validator("documented", mode="before")
    @classmethod
    def _not_too_many_documented(cls, value: Any) -> Any:
        return _bounded_list(value, MAX_DOCUMENTED)

    @field_validator("documented", mode="after")
    @classmethod
    def _as_set(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @classmethod
    def parse(cls, data: Mapping[str, Any] | Case) -> Case:
        """Validate ``data`` into a ``Case``, raising ``CaseValidationError`` naming the field.

        Unlike ``model_validate``, the error never echoes the input values (privacy).
        """
        from conduct_rules._validation import parse_case

        return parse_case(data)
