"""Readable labels for the facts rules read: case fields, enumeration values, concluded items.

Why one place: explanations, counterfactuals and training exercises all show facts to a reader
(a social worker, a trainer) in English or French, and must name them the same way. Case fields
are labelled here because the case contract is fixed in code (``case.py``); derived facts and
items take their texts from the ruleset itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from conduct_rules.render import typography as _typography
from conduct_rules.rules.facts import ANY_MISSING
from conduct_rules.rules.ruleset import Ruleset

__all__ = [
    "FIELD_LABELS",
    "FIELD_PROVISIONS",
    "Lang",
    "Scalar",
    "colon",
    "fact_label",
    "value_text",
]

Lang = Literal["en", "fr"]
Scalar = bool | int | str | None


#: Case fields as short statements (en, fr); the case contract is fixed in code (``case.py``).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "stage": ("stage", "étape"),
    "initiated_by": ("who is ending", "qui met fin"),
    "services.needed": (
        "the client still needs the services",
        "le client a encore besoin des services",
    ),
    "services.requested": (
        "the client still wants the services",
        "le client souhaite encore les services",
    ),
    "services.likely_to_benefit": (
        "the service is likely to benefit the client",
        "le service est susceptible d'aider le client",
    ),
    "client.requested_termination": (
        "the client asked to end",
        "le client a demandé la fin",
    ),
    "client.withdrew": ("the client withdrew", "le client s'est retiré"),
    "member.serious_risk_of_harm": (
        "serious risk of harm to the member",
        "risque grave de préjudice pour le membre",
    ),
    "member.feels_unsafe": (
        "the member fears meeting the client",
        "le membre craint de rencontrer le client",
    ),
    "member.threats_received": ("the member received threats", "le membre a reçu des menaces"),
    "member.objectivity_impaired": (
        "the member's objectivity is impaired",
        "l'objectivité du membre est compromise",
    ),
    "member.lacks_competence": (
        "the member lacks the competence the client's situation needs",
        "le membre n'a pas la compétence que la situation du client exige",
    ),
    "member.relationship_untenable": (
        "the relationship has broken down or become untenable",
        "la relation s'est rompue ou est devenue intenable",
    ),
    "court_order.applies": ("a court order applies", "une ordonnance du tribunal s'applique"),
    "court_order.legal_advice_obtained": (
        "legal advice on the court order obtained",
        "avis juridique sur l'ordonnance obtenu",
    ),
    "court_order.court_direction_sought": (
        "direction sought from the court",
        "directives demandées au tribunal",
    ),
    "alternatives.efforts_made": (
        "efforts made to arrange alternatives",
        "efforts faits pour organiser d'autres services",
    ),
    "alternatives.providers_offered": (
        "number of alternative providers given to the client",
        "nombre de fournisseurs de rechange proposés au client",
    ),
    "alternatives.client_supported_to_connect": (
        "the client supported to contact them",
        "client soutenu pour les joindre",
    ),
    "alternatives.opportunity_given": (
        "the client given a reasonable opportunity",
        "possibilité raisonnable donnée au client",
    ),
    "alternatives.notice_days": ("days of notice", "jours de préavis"),
    "termination_session.status": ("termination session", "séance de cessation"),
    "termination_session.modality": ("session held by", "séance tenue par"),
    "termination_session.attempts": (
        "attempts to arrange the session",
        "tentatives d'organiser la séance",
    ),
    "termination_session.attempts.channel": ("means of contact", "moyens de contact"),
    "consultation.supervision": (
        "supervision or a colleague consulted",
        "supervision ou collègue consultés",
    ),
    "consultation.college": (
        "the College's practice service consulted",
        "service de la pratique de l'Ordre consulté",
    ),
    "consultation.legal": ("legal advice obtained", "avis juridique obtenu"),
    "transfer.summary_to_new_provider": (
        "a summary goes to a new provider",
        "un résumé est transmis au nouveau fournisseur",
    ),
    "transfer.client_consent": (
        "the client consented to the transfer",
        "le client a consenti au transfert",
    ),
    "documented": ("records made", "documents consignés"),
    # CRPO Standard 6.3 (2024)
    "member.good_faith": (
        "the decision is made in good faith",
        "la décision est prise de bonne foi",
    ),
    "member.reason_protected_ground": (
        "the reason relates to a ground protected by the Human Rights Code",
        "le motif touche un motif protégé par le Code des droits de la personne",
    ),
    "client.interested_in_further_treatment": (
        "the client is interested in further treatment",
        "le client souhaite poursuivre un traitement",
    ),
    "client.informed_of_reasons": (
        "the reasons were clearly explained to the client",
        "les motifs ont été clairement expliqués au client",
    ),
}

#: Case fields that state a provision's condition, with that provision's id. A ruleset whose
#: registry holds the id shows its short form after the label ("… (2.8 iii)"); another ruleset
#: (CRPO 6.3 reads ``alternatives.efforts_made`` as efforts to refer) shows the label alone, so
#: one college's citations never appear in the other's explanations.
FIELD_PROVISIONS: dict[str, str] = {
    "client.requested_termination": "oreg384-2.8.i",
    "client.withdrew": "oreg384-2.8.ii",
    "alternatives.efforts_made": "oreg384-2.8.iii",
    "alternatives.opportunity_given": "oreg384-2.8.iv",
    "member.serious_risk_of_harm": "oreg384-2.8.v",
}

#: Values of the case's enumerations, in French (English shows the value with spaces).
VALUE_LABELS_FR: dict[str, str] = {
    "considering": "envisagée",
    "ended": "terminée",
    "continued": "poursuivie",
    "member": "le membre",
    "client": "le client",
    "held": "tenue",
    "scheduled": "prévue",
    "attempted": "tentée",
    "not_attempted": "non tentée",
    "declined_by_client": "refusée par le client",
    "in_person": "en personne",
    "video": "vidéo",
    "phone": "téléphone",
    "none": "aucun",
    "email": "courriel",
    "letter": "lettre",
    "text": "texto",
    "not_permitted": "non permise",
    "conditional": "conditionnelle",
    "permitted": "permise",
}

_KIND_WORDS: dict[str, tuple[str, str]] = {
    "verdict": ("verdict", "verdict"),
    "action": ("action permitted", "action permise"),
    "action.required": ("action required", "action requise"),
    "safeguard.required": ("safeguard required", "mesure requise"),
    "safeguard.met": ("safeguard met", "mesure remplie"),
    "safeguard.outstanding": ("safeguard outstanding", "mesure non remplie"),
    "documentation.required": ("record required", "document requis"),
    "documentation.recorded": ("record made", "document consigné"),
    "documentation.missing": ("record missing", "document manquant"),
    "finding": ("possible breach", "manquement possible"),
}


def colon(lang: Lang) -> str:
    """A colon with the spacing of the language (French: a no-break space before it)."""
    return _typography.colon(lang)


def value_text(key: str, value: Scalar, lang: Lang) -> str:
    """A value as shown to a reader (``yes``/``no``, a translated enumeration value)."""
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("oui" if value else "non")
    if value is None:
        return "—"
    if isinstance(value, str):
        return VALUE_LABELS_FR.get(value, value) if lang == "fr" else value.replace("_", " ")
    return str(value)


def _cited(rs: Ruleset, key: str, lang: Lang) -> str:
    """ " (2.8 iii)" when the ruleset cites the provision the field states, else nothing."""
    spec = rs.provisions.get(FIELD_PROVISIONS.get(key, ""))
    if spec is None or not spec.short:
        return ""
    return f" ({spec.short['fr' if lang == 'fr' else 'en']})"


def fact_label(rs: Ruleset, key: str, lang: Lang) -> str:
    """A readable name for any fact key: case feature, derived fact or concluded item."""
    i = 1 if lang == "fr" else 0
    if rs.record_fields:  # a ruleset's own flat record names its fields in both languages
        name, _, value = key.removeprefix("contains(").removesuffix(")").partition(",")
        name = name.removeprefix("count(").removesuffix(")")
        spec_r = rs.record_fields.get(name)
        if spec_r is not None:
            text = (spec_r.fr if lang == "fr" else spec_r.en).rstrip(".")
            text = text[:1].lower() + text[1:]
            if key.startswith("count("):
                return ("number of ", "nombre de ")[i] + name
            return f"{text}{colon(lang)}{value}" if value else text
    if key in FIELD_LABELS:
        return FIELD_LABELS[key][i] + _cited(rs, key, lang)
    if key.startswith("count("):
        inner = FIELD_LABELS.get(key[6:-1], (key, key))[i]
        return ("number of ", "nombre de ")[i] + inner
    if key.startswith("distinct("):
        inner = FIELD_LABELS.get(key[9:-1], (key, key))[i]
        return ("number of different ", "nombre de ")[i] + inner + ("", " différents")[i]
    if key.startswith("contains("):
        _, _, doc = key[9:-1].partition(",")
        spec = rs.outputs.documentation.get(doc)
        name = spec.label["fr" if lang == "fr" else "en"] if spec else doc
        return f"{_KIND_WORDS['documentation.recorded'][i]}{colon(lang)}{name}"
    if key in rs.derived:
        spec_d = rs.derived[key]
        text = (spec_d.fr if lang == "fr" else spec_d.en).rstrip(".")
        return text[:1].lower() + text[1:]  # read inside a sentence: "because the member is …"
    if key == ANY_MISSING:
        return ("a required record is missing", "un document requis manque")[i]
    parts = key.split(".")
    groups: dict[str, Mapping[str, Any]] = {
        "verdict": rs.outputs.verdicts,
        "action": rs.outputs.actions,
        "safeguard": rs.outputs.safeguards,
        "documentation": rs.outputs.documentation,
        "finding": rs.outputs.findings,
    }
    if len(parts) >= 2 and parts[0] in groups and parts[1] in groups[parts[0]]:
        spec_o = groups[parts[0]][parts[1]]
        word = ".".join([parts[0], *parts[2:]])
        words = _KIND_WORDS.get(word, (word, word))
        return f"{words[i]}{colon(lang)}{spec_o.label['fr' if lang == 'fr' else 'en']}"
    return key
