"""The one exception hierarchy of conduct_rules.

::

    ConductRulesError                (base; catch this to catch everything we raise)
    ├── CaseValidationError          (also ValueError) a case does not fit the contract
    ├── InputError                   (also ValueError) a batch input is unusable as a whole
    ├── MappingError                 (also ValueError) FHIR resources cannot be mapped to a case
    ├── RulesetError                 (also ValueError) a ruleset file is malformed
    ├── ParameterError               (also ValueError) an unknown or ill-typed parameter override
    ├── OptionError                  (also ValueError) a bad argument: lang, backend, item id
    ├── EditionError                 (also ValueError) a ruleset's sources not in force on a date
    ├── EvaluationError              (also RuntimeError) a ruleset concluded something impossible
    ├── EngineUnavailableError       (also RuntimeError) the durable_rules C engine cannot load
    └── AuditStoppedError                 (also RuntimeError) a batch was asked to stop (SIGTERM)

Why subclass built-ins: callers that do not know this library still catch a bad case with
``except ValueError``. Why our own messages: client data is sensitive, so no message here ever
echoes an input *value* — only field names, allowed values, and the ``case_id``.
"""

from __future__ import annotations

__all__ = [
    "AuditStoppedError",
    "CaseValidationError",
    "ConductRulesError",
    "EditionError",
    "EngineUnavailableError",
    "EvaluationError",
    "InputError",
    "MappingError",
    "OptionError",
    "ParameterError",
    "RulesetError",
    "check_lang",
]


class ConductRulesError(Exception):
    """Base of every error this library raises on purpose."""


class CaseValidationError(ConductRulesError, ValueError):
    """Raised when a case does not fit the ``Case`` contract.

    ``errors`` lists ``(field, message)`` pairs; ``field`` is a dotted path such as
    ``services.needed`` or ``termination_session.attempts.0.channel``.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field, first_msg = errors[0] if errors else ("?", "invalid case")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"invalid case: {first_field}: {first_msg}{more}")

    @property
    def field(self) -> str:
        """The dotted path of the first bad field."""
        return self.errors[0][0] if self.errors else "?"


class InputError(ConductRulesError, ValueError):
    """Raised when a batch input cannot be read at all: no such file, unknown format, bad header.

    A bad *row* never raises: it becomes a rejected row of the audit result.
    """


class MappingError(ConductRulesError, ValueError):
    """Raised when a FHIR Bundle cannot be mapped to a case (``conduct_rules.fhir``).

    ``errors`` lists ``(where, message)`` pairs; ``where`` names the bundle entry, the resource
    type and the element (``Bundle.entry[3] (Communication).medium``), never a value.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        where, msg = errors[0] if errors else ("Bundle", "cannot be mapped")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"cannot map the FHIR bundle: {where}: {msg}{more}")


class RulesetError(ConductRulesError, ValueError):
    """Raised when a ruleset cannot be loaded: message names file, rule id and field."""

    def __init__(
        self, message: str, *, file: str = "?", rule: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.rule = rule
        self.field = field
        where = file
        if rule is not None:
            where += f", rule '{rule}'"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ParameterError(ConductRulesError, ValueError):
    """Raised when a caller overrides a parameter that does not exist or with a bad value."""


class OptionError(ConductRulesError, ValueError):
    """Raised when an argument of a call is not one of its allowed values or of the wrong type.

    ``lang`` other than ``en``/``fr``, an unknown ``backend``, an ``item_id`` that is not text or
    names no item. Why a ``ValueError``: a caller passing a bad value catches it as such, instead
    of the ``TypeError`` or ``AttributeError`` a deeper function would raise by accident.
    """


def check_lang(lang: object) -> None:
    """Raise ``OptionError`` unless ``lang`` is ``"en"`` or ``"fr"`` (the value is not echoed)."""
    if not isinstance(lang, str) or lang not in ("en", "fr"):
        raise OptionError("lang must be 'en' or 'fr'")


class EditionError(ConductRulesError, ValueError):
    """Raised when an assessment is asked for a date on which a ruleset's sources were not in force.

    Why refuse rather than answer: a rule read from a standard that did not yet exist (or no
    longer applied) on that date would give a confident answer to the wrong question.
    """


class EvaluationError(ConductRulesError, RuntimeError):
    """Raised when a ruleset concludes no verdict or two opposite ones for a case.

    This is a defect in the ruleset, never in the case: Catala's rule that an ambiguous or empty
    conclusion is an error, not a silent first match.
    """


class EngineUnavailableError(ConductRulesError, RuntimeError):
    """Raised when the durable_rules backend is asked for but its C extension cannot load."""


class AuditStoppedError(ConductRulesError, RuntimeError):
    """Raised between chunks of a batch after a stop was requested (SIGTERM to the CLI).

    Why between chunks: an engine interrupted mid-evaluation can be left corrupt, so the request
    is only noted by the signal handler and acted on where no engine is running.
    """
