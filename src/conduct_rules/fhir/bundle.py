"""FHIR R4 in: a Bundle's resources read as a ``Case``.

Why a mapping with errors rather than best effort: a compliance answer built on a resource that
was silently skipped is worse than none. A resource that carries one of our codes but lacks what
the case needs (an attempt with no medium or date, a session with no class) is an error naming
the bundle entry, the resource type and the element, never a value. Resources whose status says
they do not count (``entered-in-error``, a draft, an inactive flag) are ignored, and codes from
other code systems are not ours to read. What sets what is the table in ``codes.py``.

The bundle is first validated with the ``fhir.resources`` R4B models (R4B changed no element of
the resources read here, so an R4 bundle validates), then read as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from conduct_rules.errors import MappingError
from conduct_rules.fhir.codes import (
    ACT_CODE,
    CHANNEL_OF_MEDIUM,
    CONCEPTS,
    DOCUMENTATION_CONCEPTS,
    EXT_INITIATED_BY,
    EXT_STAGE,
    PARTICIPATION_MODE,
    SYSTEM,
    Concept,
)
from conduct_rules.model.case import STAGES, Case
from conduct_rules.model.validation import describe_errors
from conduct_rules.rules.vocabulary import case_fields

__all__ = ["case_from_bundle", "validate_bundle"]

#: Most entries a bundle may hold (far above one relationship's record).
MAX_ENTRIES = 5_000
_STAGE_OF_STATUS = {
    "planned": "considering",
    "waitlist": "considering",
    "active": "considering",
    "onhold": "considering",
    "finished": "ended",
}
_IN_PERSON = frozenset({"AMB", "HH", "FLD", "IMP", "EMER", "ACUTE", "NONAC", "PRENC", "SS"})
_SESSION_OF_STATUS = {
    "planned": "scheduled",
    "arrived": "scheduled",
    "triaged": "scheduled",
    "in-progress": "held",
    "finished": "held",
}
_SESSION_RANK = {"held": 3, "scheduled": 2, "declined_by_client": 1}
#: Statuses under which each resource type counts; any other status is ignored.
_COUNTS = {
    "Flag": {"active"},
    "Communication": {"completed", "in-progress"},
    "ServiceRequest": {"active", "completed", "on-hold", "revoked"},
    "Consent": {"active"},
    "DocumentReference": {"current"},
    "Composition": {"final", "amended"},
    "RiskAssessment": {"final", "amended", "corrected"},
}
_OFFERED = frozenset({"active", "completed"})


def validate_bundle(bundle: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """The bundle as JSON data, checked against the FHIR R4B models; ``MappingError`` if not."""
    from fhir.resources.R4B.bundle import Bundle

    errors: list[tuple[str, str]] = []
    data: Any = None
    if isinstance(bundle, str | bytes):
        try:
            data = json.loads(bundle)
        except (ValueError, RecursionError):
            errors = [("Bundle", "not valid JSON")]
    elif isinstance(bundle, Mapping):
        data = dict(bundle)
    if not errors and (not isinstance(data, dict) or data.get("resourceType") != "Bundle"):
        errors = [("Bundle", "expected a FHIR Bundle (resourceType 'Bundle')")]
    entries = data.get("entry") if not errors else None
    if entries is not None and not isinstance(entries, list):
        errors = [("Bundle.entry", "expected a list")]
    elif entries is not None and len(entries) > MAX_ENTRIES:
        errors = [("Bundle.entry", f"at most {MAX_ENTRIES} entries")]
    if not errors:
        try:
            Bundle.model_validate(data)
        except ValueError as exc:  # pydantic's ValidationError; its text quotes values
            errors = _fhir_errors(exc, data)
        except (KeyError, TypeError, RecursionError):  # an unknown resourceType, bad nesting
            errors = [("Bundle.entry", "a resource of a type FHIR R4 does not define")]
        except Exception:  # noqa: BLE001 - a third-party validator on hostile input: never a 500
            errors = [("Bundle", "not a valid FHIR R4 bundle")]
    if errors:  # raised outside the ``except``: nothing chains the validator's error
        raise MappingError(errors)
    result: dict[str, Any] = data
    return result


def _fhir_errors(exc: ValueError, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The validator's errors, located as ``Bundle.entry[3] (Communication).sent``."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [("Bundle", "not a valid FHIR R4 bundle")]
    entries = data.get("entry") or []
    out = []
    for path, msg in describe_errors(exc):
        where = path
        head, _, rest = path.partition(".resource.")
        index = head.removeprefix("entry.")
        if head.startswith("entry.") and index.isdigit() and int(index) < len(entries):
            entry = entries[int(index)]
            resource = (entry.get("resource") if isinstance(entry, Mapping) else None) or {}
            kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
            kind = kind if isinstance(kind, str) and kind.isalpha() and len(kind) < 40 else "?"
            where = f"entry[{index}] ({kind}).{rest}"
        out.append((f"Bundle.{where}", msg))
    return out


# ------------------------------------------------------------------------------------ reading


def _codings(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every Coding in a CodeableConcept, a list of them, or a Coding."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if "coding" in item:
            yield from (c for c in item.get("coding") or () if isinstance(c, Mapping))
        elif "code" in item:
            yield item


def _our_codes(value: Any) -> list[str]:
    return [str(c.get("code")) for c in _codings(value) if c.get("system") == SYSTEM]


def _at(path: str, value: Any) -> Any:
    for part in path.split("."):
        if isinstance(value, list):
            value = [v.get(part) for v in value if isinstance(v, Mapping)]
            value = [x for v in value for x in (v if isinstance(v, list) else [v]) if x]
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


class _Reader:
    """Collects the case fields and the errors while walking the bundle's entries."""

    def __init__(self) -> None:
        self.case: dict[str, Any] = {}
        self.errors: list[tuple[str, str]] = []
        self.fields = set(case_fields())
        self.attempts: list[dict[str, str]] = []
        self.notices: list[dt.date] = []
        self.sessions: list[tuple[str, str]] = []  # (status, modality)
        self.offered = 0
        self.efforts = False
        self.documented: set[str] = set()
        self.reasons: list[bool] = []  # CRPO 6.3.4: explained (completed) / not (not-done)
        self.reasons_unknown = False  # CRPO 6.3.4: "unknown": the file does not tell

    def set(self, where: str, concept: Concept, value: Any) -> None:
        if concept.field not in self.fields:
            self.errors.append((where, "a code this version of the case does not read"))
            return
        group, _, name = concept.field.partition(".")
        if name:
            self.case.setdefault(group, {})[name] = value
        else:
            self.case[group] = value

    def unknown(self, where: str, codes: Iterable[str], known: Mapping[str, Concept]) -> bool:
        bad = [c for c in codes if c not in known]
        if bad:
            self.errors.append((where, "a code the conduct-rules CodeSystem does not define here"))
        return bool(bad)


def _by_code(resource: str, element: str) -> dict[str, Concept]:
    return {c.code: c for c in CONCEPTS if c.resource == resource and c.element == element}


_FLAGS = _by_code("Flag", "code")
_COMMS = _by_code("Communication", "category")
_REQUESTS = _by_code("ServiceRequest", "category")
_CONSENTS = _by_code("Consent", "category")
_RISKS = _by_code("RiskAssessment", "prediction.outcome")
_ENCOUNTER_TYPES = _by_code("Encounter", "type")
_DOCS = {c.code: c for c in DOCUMENTATION_CONCEPTS}


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _episode(r: _Reader, where: str, res: Mapping[str, Any]) -> dt.date | None:
    status = res.get("status")
    stage = _STAGE_OF_STATUS.get(str(status))
    if stage is None:
        r.errors.append((f"{where}.status", "an episode that is not planned, active or finished"))
    for ext in res.get("extension") or ():
        url, code = ext.get("url"), ext.get("valueCode")
        if url == EXT_STAGE:
            if code not in STAGES:
                r.errors.append((f"{where}.extension(ending-stage)", f"expected one of {STAGES}"))
            stage = code
        elif url == EXT_INITIATED_BY:
            if code not in ("member", "client"):
                r.errors.append((f"{where}.extension(ending-initiated-by)", "member or client"))
            r.case["initiated_by"] = code
    if stage is not None:
        r.case["stage"] = stage
    return _date(_at("period.end", res))


def _communication(r: _Reader, where: str, res: Mapping[str, Any]) -> None:
    codes = _our_codes(res.get("category"))
    if r.unknown(f"{where}.category", codes, _COMMS):
        return
    for code in codes:
        concept = _COMMS[code]
        if code == "termination-session-attempt":
            channels = [
                CHANNEL_OF_MEDIUM.get(str(c.get("code")))
                for c in _codings(res.get("medium"))
                if c.get("system") == PARTICIPATION_MODE
            ]
            sent = _date(res.get("sent"))
            if not channels or channels[0] is None:
                r.errors.append(
                    (
                        f"{where}.medium",
                        f"expected a ParticipationMode code: {', '.join(CHANNEL_OF_MEDIUM)}",
                    )
                )
            elif sent is None:
                r.errors.append((f"{where}.sent", "the date of the attempt is needed"))
            else:
                r.attempts.append({"channel": channels[0], "date": sent.isoformat()})
        elif code == "reasons-explained":
            r.reasons.append(True)
        elif code == "notice-of-ending":
            sent = _date(res.get("sent"))
            if sent is None:
                r.errors.append((f"{where}.sent", "the date the notice was sent is needed"))
            else:
                r.notices.append(sent)
        else:
            r.set(where, concept, concept.value)


def _reasons_unknown(r: _Reader, where: str, res: Mapping[str, Any]) -> None:
    """A Communication 'unknown' with our code ``reasons-explained`` says the file does not tell
    whether the reasons were explained (the case's ``null``); any other of our codes is ignored."""
    codes = _our_codes(res.get("category"))
    if not r.unknown(f"{where}.category", codes, _COMMS) and "reasons-explained" in codes:
        r.reasons_unknown = True


def _not_done(r: _Reader, where: str, res: Mapping[str, Any]) -> None:
    """A Communication 'not-done' says something was not communicated: for our code
    ``reasons-explained``, that the reasons were not explained (CRPO 6.3.4); any other of our
    codes on it is ignored, as under any status that does not count."""
    codes = _our_codes(res.get("category"))
    if not r.unknown(f"{where}.category", codes, _COMMS) and "reasons-explained" in codes:
        r.reasons.append(False)


def _encounter(r: _Reader, where: str, res: Mapping[str, Any]) -> None:
    types_ = _our_codes(res.get("type"))
    if r.unknown(f"{where}.type", types_, _ENCOUNTER_TYPES) or "termination-session" not in types_:
        return
    status = str(res.get("status"))
    if status == "cancelled":
        if "declined-by-client" in _our_codes(res.get("reasonCode")):
            r.sessions.append(("declined_by_client", "none"))
        return
    session = _SESSION_OF_STATUS.get(status)
    if session is None:
        return  # entered-in-error, unknown, on leave: not a session
    classes = [c.get("code") for c in _codings(res.get("class")) if c.get("system") == ACT_CODE]
    if classes and classes[0] == "VR":
        modality = "phone" if "by-telephone" in types_ else "video"
    elif classes and classes[0] in _IN_PERSON:
        modality = "in_person"
    else:
        r.errors.append((f"{where}.class", "expected an ActCode class (AMB for in person, VR)"))
        return
    r.sessions.append((session, modality))


def _service_request(r: _Reader, where: str, res: Mapping[str, Any]) -> None:
    codes = _our_codes(res.get("category"))
    if r.unknown(f"{where}.category", codes, _REQUESTS) or "alternative-service" not in codes:
        if "supported-to-connect" in codes:
            r.errors.append((f"{where}.category", "supported-to-connect needs alternative-service"))
        return
    r.efforts = True
    if res.get("status") in _OFFERED:
        r.offered += 1
        if "supported-to-connect" in codes:
            r.set(where, _REQUESTS["supported-to-connect"], True)


def _simple(r: _Reader, where: str, element: str, value: Any, known: Mapping[str, Concept]) -> None:
    codes = _our_codes(value)
    if not r.unknown(f"{where}.{element}", codes, known):
        for code in codes:
            r.set(where, known[code], known[code].value)


def _documents(r: _Reader, where: str, element: str, value: Any) -> None:
    codes = _our_codes(value)
    if not r.unknown(f"{where}.{element}", codes, _DOCS):
        r.documented.update(str(_DOCS[c].value) for c in codes)


def case_from_bundle(
    bundle: Mapping[str, Any] | str | bytes, *, case_id: str | None = None
) -> Case:
    """Map an R4 Bundle (JSON data or text) about one relationship to a ``Case``.

    The bundle holds one EpisodeOfCare (the relationship; its first ``identifier`` value, else
    its ``id``, is the ``case_id`` unless ``case_id`` is given) and the resources of the mapping
    table (docs: Calling it from another system). Raises ``MappingError`` naming each entry and
    element that cannot be mapped, and ``CaseValidationError`` when the mapped case breaks a
    bound of the contract.
    """
    data = validate_bundle(bundle)
    r = _Reader()
    episodes: list[tuple[str, Mapping[str, Any]]] = []
    for i, entry in enumerate(data.get("entry") or ()):
        res = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(res, Mapping):
            continue
        kind = str(res.get("resourceType"))
        where = f"Bundle.entry[{i}] ({kind})"
        if kind == "EpisodeOfCare":
            episodes.append((where, res))
            continue
        if kind == "Communication" and res.get("status") == "not-done":
            _not_done(r, where, res)
        if kind == "Communication" and res.get("status") == "unknown":
            _reasons_unknown(r, where, res)
            continue
        if kind in _COUNTS and res.get("status") not in _COUNTS[kind]:
            continue
        if kind == "Flag":
            _simple(r, where, "code", res.get("code"), _FLAGS)
        elif kind == "Communication":
            _communication(r, where, res)
        elif kind == "Encounter":
            _encounter(r, where, res)
        elif kind == "ServiceRequest":
            _service_request(r, where, res)
        elif kind == "Consent":
            _simple(r, where, "category", res.get("category"), _CONSENTS)
        elif kind == "RiskAssessment":
            _simple(r, where, "prediction.outcome", _at("prediction.outcome", res), _RISKS)
        elif kind == "DocumentReference":
            _documents(r, where, "type", res.get("type"))
        elif kind == "Composition":
            _documents(r, where, "section.code", _at("section.code", res))
    if len(episodes) != 1:
        r.errors.insert(0, ("Bundle.entry", f"expected one EpisodeOfCare, found {len(episodes)}"))
        end = None
    else:
        where, episode = episodes[0]
        end = _episode(r, where, episode)
        identifiers = [i.get("value") for i in episode.get("identifier") or () if i.get("value")]
        case_id = case_id or (identifiers[0] if identifiers else episode.get("id"))
        if not case_id:
            r.errors.append((f"{where}.identifier", "an identifier or id is needed: the case_id"))
    if r.errors:
        raise MappingError(r.errors)
    return Case.parse(_assemble(r, str(case_id), end))


def _assemble(r: _Reader, case_id: str, end: dt.date | None) -> dict[str, Any]:
    case = {"case_id": case_id, **r.case}
    alternatives = case.setdefault("alternatives", {})
    alternatives["efforts_made"] = r.efforts
    alternatives["providers_offered"] = r.offered
    if r.notices and end is not None:
        alternatives["notice_days"] = max(0, (end - min(r.notices)).days)
    session = case.setdefault("termination_session", {})
    if r.sessions:
        status, modality = max(r.sessions, key=lambda s: _SESSION_RANK[s[0]])
        session["status"], session["modality"] = status, modality
    elif r.attempts:
        session["status"] = "attempted"
    session["attempts"] = r.attempts
    case["documented"] = sorted(r.documented)
    if r.reasons:  # explained once is explained
        case.setdefault("client", {})["informed_of_reasons"] = any(r.reasons)
    elif r.reasons_unknown:  # said not to tell; no resource at all: the default (false) holds
        case.setdefault("client", {})["informed_of_reasons"] = None
    return case
