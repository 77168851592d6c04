"""Stories for training exercises: varied facts drawn from one of the practice note's scenarios,
told in English or French.

Why facts first, then words: the case is drawn at random (seeded), then every fact the rules read
is told, the negative ones included ("no termination session has been arranged yet"), so the
story and the case cannot drift apart. The three families follow the note's scenarios (goals not
met; a court-ordered service the client withdrew from; a values conflict, perhaps then threats);
the words are our own.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Literal

from conduct_rules.api import assess, get_ruleset
from conduct_rules.render.labels import Lang
from conduct_rules.render.typography import date_text

__all__ = ["FAMILIES", "Family", "story", "title"]

Family = Literal["scenario-1", "scenario-2", "scenario-3"]
FAMILIES: tuple[Family, ...] = ("scenario-1", "scenario-2", "scenario-3")

_TITLES = {
    "scenario-1": ("Service goals not met", "Objectifs du service non atteints"),
    "scenario-2": (
        "Court-ordered counselling, a parent withdraws",
        "Counselling ordonné par le tribunal, un parent se retire",
    ),
    "scenario-3": (
        "A values conflict, then perhaps threats",
        "Un conflit de valeurs, puis peut-être des menaces",
    ),
}

_OPENINGS = {
    "scenario-1": (
        "A social worker has seen a client for several months. After seeking supervision and "
        "trying several strategies and interventions, she still cannot help the client reach the "
        "goals they agreed on; her services have not helped for a while, and she thinks another "
        "professional with a different approach would serve the client better. The client still "
        "needs help and wants to keep coming. She is now considering ending the services.",
        "Une travailleuse sociale suit un client depuis plusieurs mois. Après avoir consulté sa "
        "superviseure et essayé plusieurs stratégies et interventions, elle ne parvient toujours "
        "pas à l'aider à atteindre les objectifs convenus ; ses services n'aident plus depuis un "
        "moment, et elle pense qu'un autre professionnel, avec une approche différente, le "
        "servirait mieux. Le client a encore besoin d'aide et souhaite continuer. Elle envisage "
        "maintenant de mettre fin aux services.",
    ),
    "scenario-2": (
        "A court order names a social worker to provide co-parenting counselling to two separated "
        "parents. One parent has stopped coming to the sessions and no longer takes part. The "
        "counselling is still needed, and the social worker still thinks it could help. He is now "
        "considering ending the counselling with this parent.",
        "Une ordonnance du tribunal désigne un travailleur social pour offrir du counselling en "
        "coparentalité à deux parents séparés. L'un des parents ne vient plus aux séances et n'y "
        "participe plus. Le counselling reste nécessaire, et le travailleur social pense qu'il "
        "pourrait encore aider. Il envisage maintenant de mettre fin au counselling avec ce "
        "parent.",
    ),
    "scenario-3": (
        "A social worker's client keeps making racist comments. She has challenged them, sought "
        "supervision and a colleague's support, and tried again, but her values are so offended "
        "that she can no longer work with this client objectively. The client still needs help. "
        "She is afraid of meeting the client in person. She is now considering ending the "
        "services.",
        "Le client d'une travailleuse sociale tient sans cesse des propos racistes. Elle les a "
        "remis en question, a consulté sa superviseure et obtenu le soutien d'une collègue, puis a "
        "réessayé, mais ses valeurs sont si heurtées qu'elle ne peut plus travailler avec ce "
        "client de façon objective. Le client a encore besoin d'aide. Elle craint de le "
        "rencontrer en personne. Elle envisage maintenant de mettre fin aux services.",
    ),
}

_CHANNEL = {
    "email": ("sent an e-mail on {d}", "a envoyé un courriel le {d}"),
    "phone": ("phoned on {d}", "a téléphoné le {d}"),
    "letter": ("sent a letter on {d}", "a envoyé une lettre le {d}"),
}
_MODALITY = {
    "in_person": ("in person", "en personne"),
    "video": ("online", "en ligne"),
    "phone": ("by phone", "par téléphone"),
}

#: One sentence per fact, (English, French); ``{P}``/``{p}`` is the member's pronoun.
_S: dict[str, tuple[str, str]] = {
    "threats": (
        "When she told the client that she intended to end the services, he became hostile and "
        "left furious, threatening messages for several days. She no longer feels safe.",
        "Quand elle a annoncé au client son intention de mettre fin aux services, il est devenu "
        "hostile et a laissé des messages furieux et menaçants pendant plusieurs jours. Elle ne "
        "se sent plus en sécurité.",
    ),
    "efforts": (
        "{P} has looked into other services that could suit the client.",
        "{P} a cherché d'autres services qui pourraient convenir au client.",
    ),
    "no_efforts": (
        "{P} has not yet looked for other services for the client.",
        "{P} n'a pas encore cherché d'autres services pour le client.",
    ),
    "no_providers": (
        "The client has not been given the contact details of any other provider.",
        "Le client n'a reçu les coordonnées d'aucun autre fournisseur.",
    ),
    "providers": (
        "{P} has given the client the contact details of {who}.",
        "{P} a remis au client les coordonnées {who}.",
    ),
    "many": (
        "{n} other professionals or organisations",
        "de {n} autres professionnels ou organismes",
    ),
    "one": ("one other professional", "d'un autre professionnel"),
    "supported": (
        "{P} has also helped the client contact them.",
        "{P} a aussi aidé le client à les joindre.",
    ),
    "not_supported": (
        "{P} has not offered help to contact them.",
        "{P} n'a pas offert d'aide pour les joindre.",
    ),
    "notice": (
        "{P} told the client {d} days ahead when the services would end, so that the client "
        "could arrange other services.",
        "{P} a annoncé au client la date de fin {d} jours à l'avance, pour lui permettre de "
        "trouver d'autres services.",
    ),
    "no_notice": (
        "{P} has not yet given the client notice of an end date that would leave time to arrange "
        "other services.",
        "{P} n'a pas encore donné au client de préavis d'une date de fin qui lui laisserait le "
        "temps de trouver d'autres services.",
    ),
    "held": (
        "A termination session was held with the client {m}.",
        "Une séance de cessation a eu lieu avec le client {m}.",
    ),
    "scheduled": (
        "A termination session is planned {m}; it has not taken place yet.",
        "Une séance de cessation est prévue {m} ; elle n'a pas encore eu lieu.",
    ),
    "declined": (
        "{P} offered a termination session; the parent declined it.",
        "{P} a proposé une séance de cessation ; le parent l'a refusée.",
    ),
    "attempts": (
        "To arrange a termination session, {p} {s}; there has been no answer.",
        "Pour organiser une séance de cessation, {p} {s} ; sans réponse.",
    ),
    "no_session": (
        "No termination session has been arranged or attempted yet.",
        "Aucune séance de cessation n'a encore été organisée ni tentée.",
    ),
    "insurer": (
        "{P} has obtained legal advice about the court order through the professional liability "
        "insurer.",
        "{P} a obtenu un avis juridique sur l'ordonnance par l'entremise de l'assureur en "
        "responsabilité professionnelle.",
    ),
    "lawyer_court": (
        "{P} has consulted a lawyer about the court order.",
        "{P} a consulté un avocat au sujet de l'ordonnance.",
    ),
    "no_legal": ("{P} has not obtained legal advice.", "{P} n'a pas obtenu d'avis juridique."),
    "direction": (
        "{P} has asked the court for direction.",
        "{P} a demandé des directives au tribunal.",
    ),
    "no_direction": (
        "{P} has not asked the court for direction.",
        "{P} n'a pas demandé de directives au tribunal.",
    ),
    "lawyer": (
        "{P} has obtained legal advice on how to word the ending.",
        "{P} a obtenu un avis juridique sur la formulation de la cessation.",
    ),
    "college": (
        "{P} has consulted the College's practice service.",
        "{P} a consulté le service de la pratique professionnelle de l'Ordre.",
    ),
    "no_consultation": (
        "{P} has not consulted anyone about ending the counselling.",
        "{P} n'a consulté personne au sujet de la cessation du counselling.",
    ),
    "consent": (
        "{P} plans to send a summary of the work to the new provider; the client has agreed.",
        "{P} prévoit d'envoyer un résumé du travail au nouveau fournisseur ; le client est "
        "d'accord.",
    ),
    "no_consent": (
        "{P} plans to send a summary of the work to the new provider; the client has not been "
        "asked yet.",
        "{P} prévoit d'envoyer un résumé du travail au nouveau fournisseur ; le client n'a pas "
        "encore été consulté.",
    ),
    "documents": ("So far the file records: {r}.", "Jusqu'ici, le dossier consigne : {r}."),
    "no_documents": (
        "Nothing about the ending has been written in the file yet.",
        "Rien n'a encore été consigné au dossier au sujet de la cessation.",
    ),
}


def title(family: Family, lang: Lang) -> str:
    """The family's title in the language."""
    return _TITLES[family][1 if lang == "fr" else 0]


def _date(d: dt.date, lang: Lang) -> str:
    """A date as the language writes it (Babel): "March 1, 2024" / « 1 mars 2024 »."""
    return date_text(d, lang)


def _draw(family: Family, rng: random.Random) -> dict[str, Any]:
    """The facts of one case of the family (the contract's JSON shape, without ``case_id``)."""
    member = family != "scenario-2"
    threats = family == "scenario-3" and rng.random() < 0.5
    providers = rng.choice([0, 0, 1, 2, 3])
    efforts = providers > 0 or rng.random() < 0.3
    opportunity = member and rng.random() < 0.5
    status = rng.choice(["not_attempted", "scheduled", "held", "attempted", "attempted"])
    if family == "scenario-2" and rng.random() < 0.15:
        status = "declined_by_client"
    modality = (
        rng.choice(["in_person", "video", "phone"]) if status in ("scheduled", "held") else "none"
    )
    if family == "scenario-3" and status == "scheduled" and modality == "in_person":
        # A member who fears the client would not plan to meet in person, and the rules only
        # object once such a session is held: a planned one would puzzle a learner, not teach.
        modality = "video"
    attempts = []
    if status == "attempted":
        start = dt.date(2024, rng.randint(1, 11), rng.randint(1, 20))
        for i in range(rng.randint(1, 3)):
            channel = rng.choice(["email", "phone", "letter"] if i else ["email", "phone"])
            day = start + dt.timedelta(days=7 * i)
            attempts.append({"channel": channel, "date": day.isoformat()})
    legal = (
        rng.choice(["none", "insurer", "lawyer"])
        if family == "scenario-2"
        else ("lawyer" if threats and rng.random() < 0.5 else "none")
    )
    summary = family == "scenario-1" and rng.random() < 0.6
    s2, s3 = family == "scenario-2", family == "scenario-3"
    data: dict[str, Any] = {
        "stage": "considering",
        "initiated_by": "member" if member else "client",
        "services": {"needed": True, "requested": True, "likely_to_benefit": s2},
        "client": {"withdrew": s2},
        "member": {"feels_unsafe": s3, "threats_received": threats, "objectivity_impaired": s3},
        "court_order": {
            "applies": s2,
            "legal_advice_obtained": legal == "insurer",
            "court_direction_sought": s2 and rng.random() < 0.4,
        },
        "alternatives": {
            "efforts_made": efforts,
            "providers_offered": providers,
            "client_supported_to_connect": providers > 0 and rng.random() < 0.5,
            "opportunity_given": opportunity,
            "notice_days": rng.choice([14, 30]) if opportunity else None,
        },
        "termination_session": {"status": status, "modality": modality, "attempts": attempts},
        "consultation": {
            "supervision": member,
            "college": rng.random() < 0.3,
            "legal": legal == "lawyer",
        },
        "transfer": {
            "summary_to_new_provider": summary,
            "client_consent": summary and rng.random() < 0.5,
        },
    }
    # Only records that belong in this file (the ones the standards expect here) may already be
    # in it: a file recording a session that never happened would not read true.
    expected = assess({"case_id": "draw", **data}, backend="python").required_documentation
    data["documented"] = [d for d in expected if rng.random() < 0.5]
    return data


def _tell(family: Family, data: dict[str, Any], lang: Lang) -> list[str]:
    """The facts of the case, one sentence each (the opening paragraph aside)."""
    i = 1 if lang == "fr" else 0
    she = ("He", "Il")[i] if family == "scenario-2" else ("She", "Elle")[i]

    def say(name: str, **kw: Any) -> str:
        return _S[name][i].format(P=she, p=she.lower(), **kw)

    alt, ts, cons = data["alternatives"], data["termination_session"], data["consultation"]
    court, transfer = data["court_order"], data["transfer"]
    out = [say("threats")] if data["member"]["threats_received"] else []
    out.append(say("efforts" if alt["efforts_made"] else "no_efforts"))
    n = alt["providers_offered"]
    if n == 0:
        out.append(say("no_providers"))
    else:
        words = {2: ("two", "deux"), 3: ("three", "trois")}.get(n, (str(n), str(n)))[i]
        out.append(say("providers", who=say("many", n=words) if n > 1 else say("one")))
        out.append(say("supported" if alt["client_supported_to_connect"] else "not_supported"))
    if data["initiated_by"] == "member":
        out.append(
            say("notice", d=alt["notice_days"]) if alt["opportunity_given"] else say("no_notice")
        )
    mode = _MODALITY.get(ts["modality"], ("", ""))[i]
    if ts["status"] in ("held", "scheduled"):
        out.append(say(ts["status"], m=mode))
    elif ts["status"] == "declined_by_client":
        out.append(say("declined"))
    elif ts["attempts"]:
        steps = [
            _CHANNEL[a["channel"]][i].format(d=_date(dt.date.fromisoformat(a["date"]), lang))
            for a in ts["attempts"]
        ]
        out.append(say("attempts", s=(", then ", " puis ")[i].join(steps)))
    else:
        out.append(say("no_session"))
    if court["applies"]:
        legal = "insurer" if court["legal_advice_obtained"] else "lawyer_court"
        out.append(say(legal if court["legal_advice_obtained"] or cons["legal"] else "no_legal"))
        out.append(say("direction" if court["court_direction_sought"] else "no_direction"))
    elif cons["legal"]:
        out.append(say("lawyer"))
    if cons["college"]:
        out.append(say("college"))
    elif not (cons["supervision"] or cons["legal"]):
        out.append(say("no_consultation"))
    if transfer["summary_to_new_provider"]:
        out.append(say("consent" if transfer["client_consent"] else "no_consent"))
    docs = get_ruleset().outputs.documentation
    names = [docs[d].label[lang].lower() for d in data["documented"]]
    joined = (" ; " if lang == "fr" else "; ").join(names)
    out.append(say("documents", r=joined) if names else say("no_documents"))
    return out


def story(family: Family, rng: random.Random, lang: Lang) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Draw a case of the family and tell it: ``(case data, paragraphs)``."""
    data = _draw(family, rng)
    opening = _OPENINGS[family][1 if lang == "fr" else 0]
    return data, (opening, " ".join(_tell(family, data, lang)))
