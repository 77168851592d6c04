"""The input contract: a case, as ``../shared/contract.md`` gives it.

Why so strict: a compliance answer built on a silently coerced or ignored field is worse than no
answer. Unknown fields are errors, booleans must be booleans (``"false"`` is not ``False``),
counts are bounded, and the model is immutable so an assessment can never see a case change.
List fields are normalised (sorted, duplicates of ``documented`` dropped) so that the result never
depends on the order the caller listed them in (domain.md §3, edge case 12).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sized
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

from conduct_rules.model.validation import parse_model, parse_model_json

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
    "parse_case",
    "parse_case_json",
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
    if isinstance(value, list | tuple):
        if len(value) > limit:
            raise ValueError(f"too many items (at most {limit})")
        return value
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        return value  # not a sequence: pydantic names the type error
    # A set, a generator, any other iterable pydantic would accept: counted (or read at most
    # ``limit + 1`` items of) before anything is validated, like a list.
    if isinstance(value, Sized) and len(value) > limit:
        raise ValueError(f"too many items (at most {limit})")
    items = list(itertools.islice(value, limit + 1))
    if len(items) > limit:
        raise ValueError(f"too many items (at most {limit})")
    return items


class _Part(BaseModel):
    """Common configuration: unknown fields rejected, immutable, no coercion of booleans.

    ``hide_input_in_errors``: ``Case.model_validate`` (the contract's entry point) raises
    pydantic's own error, whose message would otherwise quote the client's values.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class Services(_Part):
    """What the client needs and wants, and whether this service helps (2.8; 3.8; 3.9)."""

    needed: StrictBool = Field(
        default=True,
        description=(
            "The client still needs professional services (from you or someone else), whatever "
            "the client wants. Ending services that are still needed is what O. Reg. 384/00 "
            "s. 2 para. 8 governs."
        ),
    )
    requested: StrictBool = Field(
        default=True,
        description=(
            "The client still wants the services. Different from 'needed': a client may want "
            "services they no longer need, or need services they no longer want (3.9)."
        ),
    )
    likely_to_benefit: StrictBool = Field(
        default=True,
        description=(
            "Your service is likely to help this client. False when you know, or ought to know, "
            "that it will not (3.8) — e.g. the agreed goals are not being reached."
        ),
    )


class Client(_Part):
    """The client's own steps towards ending (2.8 i and ii); for CRPO 6.3, wishes and reasons."""

    requested_termination: StrictBool = Field(
        default=False, description="The client asked for the services to end (2.8 i)."
    )
    withdrew: StrictBool = Field(
        default=False,
        description=(
            "The client withdrew from the services: stopped coming or taking part (2.8 ii)."
        ),
    )
    interested_in_further_treatment: StrictBool = Field(
        default=True,
        description=(
            "The client is interested in further treatment (CRPO 6.3.3: referrals are then "
            "owed). Read only by the psychotherapists' ruleset."
        ),
    )
    informed_of_reasons: StrictBool | None = Field(
        default=False,
        description=(
            "The reasons for ending were clearly communicated to the client (CRPO 6.3.4): true or "
            "false (the default, as the reading gives it: a file that does not record it counts "
            "as not communicated); null says explicitly that the file does not tell, and then the "
            "step is listed as still to show, not as a possible breach. Read only by the "
            "psychotherapists' ruleset."
        ),
    )


class Member(_Part):
    """The member's situation: risk (2.8 v), safety, objectivity (3.8, scenario 3).

    ``lacks_competence`` and ``relationship_untenable`` (contract v1.1) are the other grounds the
    note's introduction names for considering an ending; both default to false, so a v1 case
    still parses and means what it meant.

    ``good_faith`` and ``reason_protected_ground`` serve the CRPO ruleset (6.3.1, 6.3.2); their
    defaults describe an ordinary ending, so a case written for Ontario reads the same there.
    """

    serious_risk_of_harm: StrictBool = Field(
        default=False,
        description=(
            "In your professional judgement, continuing would expose you to a serious risk of "
            "harm (2.8 v)."
        ),
    )
    feels_unsafe: StrictBool = Field(
        default=False,
        description=(
            "You fear meeting the client in person, short of a serious risk of harm "
            "(scenario 3): the termination session should then be online or by phone."
        ),
    )
    threats_received: StrictBool = Field(
        default=False,
        description=(
            "The client has threatened you. The rules then treat continuing as a serious risk "
            "of harm (2.8 v); if your judgement differs, set serious_risk_of_harm instead."
        ),
    )
    objectivity_impaired: StrictBool = Field(
        default=False,
        description=(
            "You can no longer work with this client objectively (e.g. a values conflict, "
            "scenario 3): the service is then not likely to benefit the client (3.8)."
        ),
    )
    lacks_competence: StrictBool = Field(
        default=False,
        description=(
            "You lack the competence this client's situation needs (the practice note's "
            "introduction): a ground to consider ending and referring."
        ),
    )
    relationship_untenable: StrictBool = Field(
        default=False,
        description=(
            "The professional relationship has broken down or become untenable (the practice "
            "note's introduction): a ground to consider ending."
        ),
    )
    good_faith: StrictBool = Field(
        default=True,
        description=(
            "The decision to end is made in good faith (CRPO 6.3.1). Read only by the "
            "psychotherapists' ruleset."
        ),
    )
    reason_protected_ground: StrictBool = Field(
        default=False,
        description=(
            "The reason for ending relates to a ground the Ontario Human Rights Code protects "
            "(CRPO 6.3.2). Read only by the psychotherapists' ruleset."
        ),
    )


class CourtOrder(_Part):
    """A court order naming the member (scenario 2)."""

    applies: StrictBool = Field(
        default=False, description="A court order names you to provide these services (scenario 2)."
    )
    legal_advice_obtained: StrictBool = Field(
        default=False,
        description=(
            "You obtained legal advice about the court order, e.g. through your professional "
            "liability insurer."
        ),
    )
    court_direction_sought: StrictBool = Field(
        default=False, description="You asked the court for direction about ending the services."
    )


class Alternatives(_Part):
    """Alternative or replacement services (2.8 iii and iv; scenario 2's questions)."""

    efforts_made: StrictBool = Field(
        default=False,
        description=(
            "You made reasonable efforts to arrange alternative or replacement services: "
            "identified suitable ones and approached them (2.8 iii)."
        ),
    )
    providers_offered: Count = Field(
        default=0,
        description=(
            "How many other professionals or organisations' contact details the client "
            "received (scenario 2 asks for several)."
        ),
    )
    client_supported_to_connect: StrictBool = Field(
        default=False,
        description="You gave the client support or advice to contact those services.",
    )
    opportunity_given: StrictBool = Field(
        default=False,
        description=(
            "You gave the client a reasonable opportunity to arrange other services, e.g. "
            "notice of the end date (2.8 iv; scenario 1 gives a month)."
        ),
    )
    notice_days: Annotated[StrictInt, Field(ge=0, le=MAX_NOTICE_DAYS)] | None = Field(
        default=None,
        description="Days of notice given before the end date, if any (null: none given).",
    )


class Attempt(_Part):
    """One attempt to arrange a termination session."""

    channel: Channel = Field(
        description="How you tried to reach the client: email, phone, letter, text, in person "
        "or video."
    )
    date: dt.date = Field(description="The day of the attempt (YYYY-MM-DD).")

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

    status: SessionStatus = Field(
        default="not_attempted",
        description=(
            "Where the termination session stands: held (it took place), scheduled (planned), "
            "attempted (you tried to arrange it, without success so far), not_attempted, or "
            "declined_by_client (the client refused it)."
        ),
    )
    modality: Modality = Field(
        default="none",
        description=(
            "How the session was or will be held: in_person, video (online), phone, or none."
        ),
    )
    attempts: tuple[Attempt, ...] = Field(
        default=(),
        max_length=MAX_ATTEMPTS,
        description=(
            "Each attempt to arrange the session, with its means and date. Reasonable efforts "
            "default to two attempts by two different means (the parameters min_attempts and "
            "min_channels)."
        ),
    )

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

    supervision: StrictBool = Field(
        default=False, description="You discussed the ending with a supervisor or a colleague."
    )
    college: StrictBool = Field(
        default=False, description="You consulted the College's practice service."
    )
    legal: StrictBool = Field(
        default=False,
        description="You obtained legal advice (a lawyer, your insurer or your employer).",
    )


class Transfer(_Part):
    """A summary of the work sent to a new provider (scenario 1)."""

    summary_to_new_provider: StrictBool = Field(
        default=False,
        description="A summary of your work goes (or went) to the client's new provider.",
    )
    client_consent: StrictBool = Field(
        default=False, description="The client agreed to that summary being sent (scenario 1)."
    )


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("case_id must not be blank")
    return value


#: A case's identifier: the one value assessments echo (also a flat record's, ``record.py``).
CaseId = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]


class Case(_Part):
    """One case: what the client needs, who wants to end, what was tried, what was recorded."""

    case_id: CaseId = Field(
        description=(
            "Your identifier for the case; the only value echoed in results and errors. Use a "
            "file number, never a client's name."
        )
    )
    stage: Stage = Field(
        default="considering",
        description=(
            "When you ask: considering (you are deciding now whether to end), ended (the "
            "services were ended: was it done properly?), or continued (the services went on: "
            "should they have?)."
        ),
    )
    initiated_by: Initiator = Field(
        default="member", description="Who is ending the relationship: member (you) or client."
    )
    services: Services = Field(
        default=Services(), description="What the client needs and wants, and whether it helps."
    )
    client: Client = Field(default=Client(), description="The client's own steps towards ending.")
    member: Member = Field(default=Member(), description="Your situation: safety and objectivity.")
    court_order: CourtOrder = Field(
        default=CourtOrder(), description="A court order naming you, if there is one."
    )
    alternatives: Alternatives = Field(
        default=Alternatives(), description="Other services for the client, and notice given."
    )
    termination_session: TerminationSession = Field(
        default=TerminationSession(), description="The termination session and attempts to hold it."
    )
    consultation: Consultation = Field(
        default=Consultation(), description="Who you consulted about the ending."
    )
    transfer: Transfer = Field(
        default=Transfer(), description="A summary of the work sent to a new provider."
    )
    documented: tuple[DocumentationId, ...] = Field(
        default=(),
        max_length=MAX_DOCUMENTED,
        description=(
            "What is already written in the client's file about the ending (record ids: "
            "decision_rationale, consultations, alternatives_and_referrals, contact_attempts, "
            "termination_session, legal_advice, safety_concerns, written_notice, "
            "client_consent)."
        ),
    )

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
        return parse_case(data)


def parse_case(data: Mapping[str, Any] | Case) -> Case:
    """Validate a mapping (or pass a ``Case`` through) with privacy-safe errors."""
    return parse_model(data, Case)


def parse_case_json(text: str | bytes) -> Case:
    """Validate JSON text into a ``Case`` with privacy-safe errors."""
    return parse_model_json(text, Case)
