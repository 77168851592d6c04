"""FHIR R4 in and out (needs the ``[fhir]`` extra: fhir.resources).

Why: clinical systems hold their data as HL7 FHIR resources, not as the case JSON.
``case_from_bundle`` reads a Bundle about one relationship (EpisodeOfCare, Encounter,
Communication, ServiceRequest, Consent, DocumentReference/Composition, Flag, RiskAssessment) as a
``Case``; ``assessment_to_fhir`` writes an ``Assessment`` as a GuidanceResponse citing the
provisions. Facts FHIR has no code for use the small CodeSystem ``CODE_SYSTEM`` (shipped as
``CodeSystem-ending.json``). Validation uses fhir.resources' R4B models, which read R4: see
docs/calling-from-another-system.md for the mapping table and the version notes.
"""

from __future__ import annotations

from conduct_rules.errors import MappingError
from conduct_rules.fhir.bundle import case_from_bundle, validate_bundle
from conduct_rules.fhir.codes import SYSTEM as CODE_SYSTEM
from conduct_rules.fhir.codes import code_system, published_code_system
from conduct_rules.fhir.example import bundle_from_case
from conduct_rules.fhir.guidance import assessment_to_fhir

__all__ = [
    "CODE_SYSTEM",
    "MappingError",
    "assessment_to_fhir",
    "bundle_from_case",
    "case_from_bundle",
    "code_system",
    "published_code_system",
    "validate_bundle",
]
