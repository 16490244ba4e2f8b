"""Questions a member of staff could ask about a document, written from its fiche; and the fiche with them."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.fiche import Definition, Fiche, KeyFigure, read_fiche
from ingest.models import Document
from lang.amounts import amount_value
from lang.dates import WEEKDAY
from lang.words import SMALL_WORDS, fold


def describe(doc: Document) -> Fiche:
    """The fiche of a document, candidate questions included."""
    fiche = read_fiche(doc)
    return replace(fiche, questions=tuple(question_candidates(fiche)))


CLAUSE_END_RE = re.compile(r"[,;:.()«»!?]|\s(?:et|ou|mais|afin|qui|que|dont|lorsque|avec)\s")
PURPOSE_RE = re.compile(r"\s(?:pour|afin|en faveur|auprès|dans le cadre)\b")
NOT_VERBS = {
    "centre", "cadre", "offre", "lettre", "titre", "chantier", "dossier", "atelier", "metier", "premier", "dernier",
    "ordre", "registre", "livre", "membre", "nombre", "hiver", "avenir", "loisir", "plaisir", "courrier", "fichier",
    "calendrier", "quartier", "foyer", "entre", "notre", "votre", "autre", "cancer", "pilier", "palier",
}
AFTER_VERB = {"le", "la", "les", "un", "une", "des", "du", "au", "aux", "en", "sur", "a", "et", "leur", "leurs",
              "sa", "son", "ses", "notre", "nos", "ce", "cette", "ces"}
FEMININE_ENDINGS = (
    "tion", "sion", "aison", "te", "ee", "ie", "ure", "ance", "ence", "ade", "ise", "ette", "elle", "ude", "ere",
    "che", "ine", "ive", "ite", "ale", "ne", "se", "ue",
)
MASCULINE_WORDS = {"centre", "conseil", "projet", "programme", "plan", "comite", "groupe", "service", "dispositif",
                   "contrat", "reseau", "pole", "site", "poste", "territoire", "document", "guide", "rapport",
                   "bilan", "schema", "observatoire", "etablissement", "organisme", "systeme", "parcours", "role",
                   "modele", "theme", "domaine", "groupement", "ministere", "cabinet", "colloque", "diagnostic"}
ELIDED_ARTICLE_RE = re.compile(r"^[LlDd][’']")


def _feminine(word: str) -> bool:
    key = fold(word).strip("'")
    if key in MASCULINE_WORDS or key.rstrip("sx") in MASCULINE_WORDS:
        return False
    return key.rstrip("s").endswith(FEMININE_ENDINGS)


def _with_article(phrase: str) -> str:
    """'création du CRT' -> 'la création du CRT'; 'accès aux soins' -> 'l’accès aux soins'."""
    first = phrase.split()[0]
    if fold(first)[:1] in "aeiouyh":
        return "l’" + phrase
    return ("la " if _feminine(first) else "le ") + phrase


def _lower_first(phrase: str) -> str:
    """Lower-case a capitalised common noun, not an acronym nor a name ("Maison des Femmes")."""
    words = phrase.split()
    if not words or words[0].isupper() or len(words[0]) < 2 or not words[0][1:].islower():
        return phrase
    later = [w for w in words[1:4] if fold(w) not in SMALL_WORDS and w[:1].isalpha()]
    if later and later[0][0].isupper() and not later[0].isupper():
        return phrase
    return phrase[0].lower() + phrase[1:]


def _trim(phrase: str, max_words: int = 10) -> str:
    """At most `max_words` words, cut at a participle when long, no dangling small word."""
    words = phrase.split()
    if len(words) > 6:
        for i, word in enumerate(words[4:], start=4):
            # "porté", "mis en œuvre" open a participle clause; "santé", "qualité", "société" are nouns
            if re.search(r"(?:é|ée|és|ées|^mise?)$", word) and not re.search(r"(?:it|et|nt)é$", word):
                words = words[:i]
                break
    words = words[:max_words]
    while words and fold(words[-1]) in SMALL_WORDS:
        words.pop()
    return " ".join(words)


def _definite(phrase: str) -> str:
    """'un projet' -> 'le projet', 'une charte' -> 'la charte', 'Cette feuille' -> 'la feuille'."""
    swaps = {"un": "le", "une": "la", "des": "les", "cette": "la", "ce": "le", "ces": "les", "son": "le",
             "sa": "la", "ses": "les", "le": "le", "la": "la", "les": "les"}
    words = phrase.split(maxsplit=1)
    if words and fold(words[0]) in swaps and len(words) == 2:
        return f"{swaps[fold(words[0])]} {words[1]}"
    if words and fold(words[0]) == "cet" and len(words) == 2:
        return "l’" + words[1]
    if ELIDED_ARTICLE_RE.match(phrase):
        return "l’" + phrase[2:]
    return phrase


def _is_infinitive(words: list[str]) -> bool:
    if len(words) < 2:
        return False
    first = fold(words[0].rstrip(",;:"))
    if first in NOT_VERBS or not re.search(r"(?:er|ir|re)$", first) or not words[0][0].isupper():
        return False
    nxt = fold(words[1])
    return (
        words[0].endswith(",")
        or nxt.split("'")[0] in AFTER_VERB | {"l", "d"}
        or nxt.endswith("ment")
    )


def _strip_chantier(heading: str) -> str:
    return re.sub(r"^\s*Chantier\s*:\s*", "", heading)


def _topic(heading: str) -> str | None:
    """The thing a heading is about, with its article: 'Mettre en œuvre le plan crack et …' -> 'le plan crack'."""
    text = _strip_chantier(heading)
    words = text.split()
    if not words:
        return None
    if _is_infinitive(words):
        rest = " ".join(words[1:])
        rest = re.sub(r"^(?:en (?:œuvre|oeuvre|place)|\w+ment)\s+", "", rest)
        rest = re.sub(r"^(?:sur|pour|en faveur (?:de|des|du)|auprès (?:de|des|du)|à|a)\s+", "", rest)
        cut = CLAUSE_END_RE.search(rest)
        rest = rest[: cut.start()] if cut else rest
        first = fold(rest.split()[0]) if rest.split() else ""
        if first.split("'")[0] not in {"le", "la", "les", "l", "un", "une", "des", "du", "au", "aux", "leur", "leurs"}:
            return None
        return _definite(_trim(rest, 8))
    if fold(words[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"}:
        after = words[0].split("’")[-1].split("'")[-1] if ELIDED_ARTICLE_RE.match(words[0]) else (
            words[1] if len(words) > 1 else "")
        if not after or not after[0].islower():
            return None  # "L’ARS Normandie remet …" is a sentence, not a topic
        cut = PURPOSE_RE.search(text) or CLAUSE_END_RE.search(text)
        phrase = text[: cut.start()] if cut else text
        return _definite(_lower_first_article(_trim(phrase, 8)))
    cut = CLAUSE_END_RE.search(text)
    if cut and text[cut.start()] not in "«»":
        text = text[: cut.start()]
    text = text.strip()
    if not text or len(text.split()) > 12:
        return None
    return _with_article(_lower_first(text))


def _lower_first_article(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:]


def _named_heading(heading: str) -> bool:
    """A heading that names something ("Maison des Femmes Santé de l’Orne"), not an action."""
    words = _strip_chantier(heading).split()
    return any(w[:1].isupper() and not w.isupper() for w in words[1:]) and not _is_infinitive(words)


def _after_value(figure: KeyFigure) -> str:
    at = figure.sentence.find(figure.value)
    return figure.sentence[at + len(figure.value) :] if at >= 0 else ""


def _amount_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    amounts = sorted((f for f in fiche.key_figures if f.kind == "amount"), key=lambda f: -amount_value(f.value))
    for figure in amounts:
        topic = _topic(figure.section) if figure.section else None
        if topic:
            questions.append(f"combien pour {topic} ?")
        after = _after_value(figure)
        cut = CLAUSE_END_RE.search(after)
        clause = after[: cut.start()] if cut else after
        purpose = re.search(r"\bpour\s+((?:un|une|le|la|les|l['’]|des)\b.*)", clause)
        if purpose:
            phrase = _trim(_definite(purpose[1].strip()), 10)
            if len(phrase.split()) >= 2:
                questions.append(f"combien pour {phrase} ?")
    return questions


def _article_for(definition: Definition) -> str:
    """'le ', 'la ' or "l'" before an acronym, as the document writes it ("la MILDECA", "au CAARUD")."""
    if fold(definition.term)[:1] in "aeiouy":
        return "l'"
    masculine = {"le", "du", "au", "ce", "son", "un", "cet"}
    feminine = {"la", "cette", "sa", "une"}
    for needle in (definition.term, definition.expansion):
        match = re.search(rf"(?<!\S)(\S+)\s+(?:\d+\s+)?{re.escape(needle)}(?!\w)", definition.sentence)
        if match:
            word = fold(match[1])
            if word in masculine:
                return "le "
            if word in feminine:
                return "la "
    return "la " if _feminine(definition.expansion.split()[0]) else "le "


def _definition_questions(fiche: Fiche) -> list[str]:
    rank = {fold(e): i for i, e in enumerate(fiche.entities)}
    ordered = sorted(fiche.definitions, key=lambda d: rank.get(fold(d.term), len(rank)))
    return [f"c'est quoi {_article_for(d)}{d.term} ?" for d in ordered]


SUBJECT_VERB_RE = re.compile(
    r"^(?P<subject>(?i:cette|ce|cet|ces|le|la|les|l['’]|son|sa|ses)\s?[^,;:]{3,120}?)\s+"
    r"(?:s[’']articule(?:nt)?|se (?:déclinera|décline|déclinent|compose|composent)|comprend|comprennent|"
    r"compte|comptent|regroupe|regroupent|repose|reposent|vise|visent)\b"
)


def _count_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    for figure in (f for f in fiche.key_figures if f.kind == "count"):
        words = figure.value.split()
        number, phrase = words[0], " ".join(words[1:])
        if re.match(r"(?:à|ou)$", phrase.split()[0] if phrase else ""):
            continue  # "6 à 14 personnes" is an estimate, not a list
        noun = phrase.split()[0] if phrase else ""
        if figure.sentence.rstrip().endswith(":"):
            owner = ""
            subject = SUBJECT_VERB_RE.match(figure.sentence.split(", ")[-1] if ", " in figure.sentence[:40]
                                            else figure.sentence)
            if subject:
                cut = PURPOSE_RE.search(subject["subject"])
                owner = _definite(_trim(subject["subject"][: cut.start()] if cut else subject["subject"], 10))
            elif figure.section:
                topic = _topic(figure.section)
                words_h = _strip_chantier(figure.section).split()
                if topic and words_h and fold(words_h[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"}:
                    owner = topic
            which = "quelles" if _feminine(noun) else "quels"
            suffix = ""
            if owner:
                article = fold(owner.split()[0]).split("'")[0]
                rest = owner.split(maxsplit=1)[1] if " " in owner and article != "l" else owner[2:]
                suffix = {"le": f" du {rest}", "la": f" de la {rest}", "les": f" des {rest}", "l": f" de l’{rest}"}.get(
                    article, "")
            questions.append(f"{which} sont les {number.lower()} {phrase}{suffix} ?")
            continue
        after = _after_value(figure)
        passive = re.match(
            r"^(?:\s(?P<adj>[^\W\d_]+))?\s(?P<aux>sont|ont été|seront|ont|vont)\s(?:\w+ment\s|ainsi\s|donc\s)?"
            r"(?P<verb>[^\W\d_]+(?:é|és|ées|is|us|u|t))\b",
            after,
        )
        if passive:
            adjective = f" {passive['adj']}" if passive["adj"] else ""
            questions.append(f"combien de {phrase}{adjective} {passive['aux']} {passive['verb']} ?")
            continue
        place = re.match(r"^\s(?P<where>(?:sur|dans|en)\s(?:la\s|le\s|les\s|l['’])?[A-ZÀ-Ý][\w’'-]+)", after)
        if place:
            questions.append(f"combien de {phrase} {place['where']} ?")
    return questions


def _subject(text: str) -> str | None:
    """A short subject: the words after the last comma, led by an article or a name."""
    text = text.split(", ")[-1].strip()
    if not re.match(r"(?:Le|La|Les|L['’]|Un|Une|Ce|Cette|Ces|[A-ZÀ-Ý])", text) or len(text.split()) > 14:
        return None
    if len(text.split()) > 6:  # "les acteurs normands mobilisés en faveur de …" -> "les acteurs normands mobilisés"
        cut = re.search(r"\s(?:en|de|du|des|dans|pour|sur|auprès)\s", text)
        if cut and text[: cut.start()].count("«") == text[: cut.start()].count("»") and cut.start() > 8:
            text = text[: cut.start()]
    if re.match(r"(?:Le|La|Les|L['’]|Un|Une|Ce|Cette|Ces)\b", text):
        text = _definite(text[0].lower() + text[1:])
    return text


def _date_questions(fiche: Fiche) -> list[str]:
    questions: list[str] = []
    for figure in (f for f in fiche.key_figures if f.kind == "date"):
        s, date = figure.sentence, re.escape(figure.value)
        # The subject ends before a run of spaces, never inside it: a lazy subject trying every space of a long run,
        # each followed by `\s+` over the rest of it, was quadratic; so was an object of unbounded length tried
        # after each subject (300 characters is far more than a question can quote).
        when = rf"(?:(?:le|en|ce|depuis)\s+)?(?:(?:{WEEKDAY})\s+)?{date}"
        passive = re.search(rf"^(?P<subj>.+?)(?<!\s)\s+(?P<aux>a|ont)\s+(?:\w+\s+)?été\s+(?P<verb>\w+)\s+{when}", s)
        event = re.search(rf"{date}\s+(?:a|ont)\s+eu lieu\s+(?P<what>[^,;.]+)", s)
        reflexive = re.search(rf"^(?P<subj>.+?)(?<!\s)\s+(?P<aux>se sont|s[’']est)\s+(?P<verb>\w+)\s+{when}", s)
        active = re.search(
            rf"^(?P<subj>.+?)(?<!\s)\s+(?P<aux>a|ont)\s+(?:(?:par ailleurs|ainsi|déjà|donc)\s+)?"
            rf"(?P<verb>\w+(?:é|i|is|it|u|t))\s+(?P<obj>(?:un|une|le|la|les|l['’]|des|sa|son|ses|leur)\b[^,;]{{0,300}}?)"
            rf"\s+{when}",
            s,
        )
        question = None
        if passive and _subject(passive["subj"]):
            question = f"quand {passive['aux']} été {passive['verb']} {_subject(passive['subj'])} ?"
        elif event:
            what = _trim(re.split(r"\s(?:dans|en présence|avec|à|au)\s", event["what"])[0], 12)
            question = f"quand a eu lieu {what} ?"
        elif reflexive and _subject(reflexive["subj"]):
            question = f"quand {_subject(reflexive['subj'])} {reflexive['aux']} {reflexive['verb']} ?"
        elif active and _subject(active["subj"]):
            question = f"quand {_subject(active['subj'])} {active['aux']} {active['verb']} {_trim(active['obj'], 8)} ?"
        if question:
            questions.append(question)
    return questions


def _heading_questions(fiche: Fiche) -> list[str]:
    named: list[str] = []
    actions: list[str] = []
    for entry in fiche.outline:
        if re.match(r"(?<!\s)\s*Chantier\b", entry.heading):
            continue
        text = entry.heading.strip()
        words = text.split()
        if _is_infinitive(words) and len(words) <= 12:
            actions.append(f"quelles actions pour {text[0].lower()}{text[1:]} ?")
            continue
        topic = _topic(text)
        article_led = fold(words[0]).split("'")[0] in {"le", "la", "les", "l", "un", "une"} if words else False
        if topic and (_named_heading(text) or article_led) and len(topic.split()) <= 9:
            named.append(f"c'est quoi {topic} ?")
    return named + actions


def question_candidates(fiche: Fiche) -> list[str]:
    """6 to 10 short French questions a member of staff could ask about the document, no duplicates."""
    groups = [
        (_amount_questions(fiche), 3),
        (_definition_questions(fiche), 2),
        (_count_questions(fiche), 2),
        (_date_questions(fiche), 2),
        (_heading_questions(fiche), 10),
    ]
    chosen: list[str] = []
    seen: set[str] = set()

    def take(question: str) -> bool:
        key = fold(re.sub(r"\s+", " ", question))
        if key in seen or len(chosen) >= 10:
            return False
        seen.add(key)
        chosen.append(question)
        return True

    for questions, cap in groups:
        taken = 0
        for question in questions:
            if taken < cap and take(question):
                taken += 1
    for questions, _ in groups:  # too few: the groups give more than their share
        for question in questions:
            if len(chosen) >= 8:
                break
            take(question)
    return chosen
