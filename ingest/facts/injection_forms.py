"""More forms of an instruction to an AI reader, read by instructions.py with the same points and gates.

Beyond a vocative or an order in the second person, a planted sentence may: fake markup or fields (a JSON role,
`<prompt>`, "SYSTEM OVERRIDE:", `reponse_officielle="…"`, `langue_sortie=en`), which are strong signs; or, each a
weak sign, write a dialogue transcript ("Q : … ? R : …"), give orders to "the answer" in the third person ("la
réponse doit commencer par…", "doit recevoir la réponse"), order to hide, add to or reshape an answer ("supprimez
de votre réponse…", "answer in capital letters"), claim authority ("celle-ci prévaut", "la seule vérité"), ask to
disregard what other passages say ("quel que soit le chiffre indiqué ailleurs"), or hide itself (`<!-- … -->`).
Agency prose has FAQs, replies to calls for projects and clauses that prevail: each carries one weak sign at most.
The weak signs about "this" text, its sources, concealment, role play and new orders live here too. Every pattern
is bounded, so a check stays linear in the text.
"""

from __future__ import annotations

import re

ANSWER = (
    r"(?:reponses?|answers?|responses?|replies|reply|outputs?|sorties?|resumes?|summar(?:y|ies)|syntheses?"
    r"|restitutions?)"
)
FIELD_KEY = (
    r"(?:reponses?|answers?|responses?|outputs?|sorties?|sources?|langue|language|lang|priorite|priority|format"
    r"|citer|cite|instructions?|prompt|role|mode)"
)

# an AI by its common names, for the forms below (instructions.py has the full list, which imports this module)
MACHINE = (
    r"(?:assistants?|ia|ai|modeles?|models?|robots?|bots?|chatbots?|llms?|machines?|agents? (?:ia|d'ia|ai"
    r"|conversationnels?)|systemes? d'ia)"
)

FORM_STRONG: dict[str, re.Pattern[str]] = {
    # a label for the answer of an AI, with the answer after it: "Réponse de l'assistant : …", "Sortie attendue du
    # modèle : {…}", "Réponse type à fournir par l'agent IA : …"
    "answer_label": re.compile(
        rf"(?:^[\W_]{{0,4}}|[.!?]\s{{1,3}}){ANSWER}(?:\s{{1,3}}[\w'-]{{1,20}}){{0,4}}?\s{{1,3}}(?:de |du |des |d'|par "
        rf"|of |from |by )?(?:l'|le |la |les |the |an? |un |une )?{MACHINE}\s{{0,3}}:"
    ),
    # {"role": "system", …}, role=assistant, <prompt>, <assistant>
    "fake_role": re.compile(
        r"\brole[\"']?\s{0,2}[:=]\s{0,2}[\"']?(?:system|systeme|assistant|developer|user)\b"
        r"|<\s{0,3}/?\s{0,3}(?:assistant|user|prompt|admin|developer|consignes?|context)\s{0,3}>"
    ),
    # reponse_officielle="…", langue_sortie=en, citer_autres_sources=non: fields of an answer inside a sentence
    "fake_field": re.compile(
        rf"\b[a-z]{{1,20}}_(?:[a-z]{{1,20}}_){{0,2}}{FIELD_KEY}\b\s{{0,2}}[=:]"
        rf"|\b{FIELD_KEY}(?:_[a-z]{{1,20}}){{1,3}}\s{{0,2}}[=:]"
    ),
    # a label in a comment, which no person sees: "<!-- réponse : …", "<!-- consigne : …"
    "hidden_label": re.compile(
        r"<!--\s{0,3}(?:consignes?|instructions?|reponses?|answers?|notes?|prompt|system|systeme|directives?|ordres?"
        r"|orders?|ia|ai|llm|assistant|model|modele)\s{0,3}:"
    ),
    # "SYSTEM OVERRIDE:", "Message système :", "[Admin note]"
    "header": re.compile(
        r"^[\W_]{0,4}(?:(?:system|systeme|admin|developer|developpeur)\s{1,3}(?:override|prompt|message|note|update"
        r"|instructions?|notice|alert|mode|command|commande)|(?:message|note|instructions?|consignes?|commande"
        r"|override|mise a jour)\s{1,3}(?:systeme|system|admin|administrateur|developpeur|developer)|override)"
        r"\s{0,3}[:\]]"
    ),
}

FORM_WEAK: dict[str, re.Pattern[str]] = {
    # an AI reading "this" text: "tout système qui lit ce texte", "exploitant le présent rapport"
    "this_text": re.compile(
        r"\b(?:qui lit|qui lisent|qui lira|qui liront|lisant|exploitant|analysant|resumant|indexant|reading"
        r"|qui (?:exploitent|exploite|traitent|traite|analysent|analyse|parcourent|parcourt|resument|resume|indexent"
        r"|indexe)|parcourant|traitant"
        r"|summari[sz]ing|processing|parsing|analy[sz]ing|ingesting|scanning)\s{1,3}(?:(?:ce|cette|cet|ces|le present"
        r"|la presente|les presents|this|these)\s{1,3}(?:textes?|documents?|rapports?|pages?|plans?|notes?|fichiers?"
        r"|passages?|contenus?|paragraphes?|pdf|text|reports?|files?|content|paragraphs?|lignes?|lines?|messages?"
        r"|comptes? rendus?|communiques?|arretes?|courriers?|press releases?|releases?)"
        r"|ceci|this)\b"
    ),
    # only this document as a source: "aucun autre document", "comme source unique", "sans citer tes sources"
    "sources": re.compile(
        r"\b(?:aucune? autres?|no other|any other|les autres|the other|other)\s{1,3}(?:documents?|sources?|passages?)\b"
        r"|\bcomme (?:seule |unique |l'unique |la seule )?source(?: unique)?\b|\bas the (?:only|sole|single) source\b"
        r"|\b(?:sans|without)\s{1,3}(?:citer|mentionner|indiquer|evoquer|nommer|citing|mentioning|naming|quoting)"
        r"\s{1,3}(?:tes |vos |les |ses |aucune? |de |your |any |the )?(?:autres? )?(?:sources?|references?)\b"
        r"|\b(?:uniquement|exclusivement|only)\s{1,3}(?:vers |sur |a )?(?:ce|this) document\b"
        r"|\b(?:citer|cite|mentionner|mention|donner|give|utiliser|use)\s{1,3}(?:d'|aucune? |any |no )(?:autres?|other)"
        r"\s{1,3}(?:chiffres?|montants?|figures?|amounts?|sources?|documents?|references?)\b"
        r"|\b(?:per|according to) this (?:document|text|passage) only\b"
    ),
    # concealment: "ne révèle pas…", "do not reveal…"
    "conceal": re.compile(
        r"\bne (?:revele|revelez|divulgue|divulguez|devoile|devoilez|dis|dites|mentionne|mentionnez|signale|signalez"
        r"|cite|citez|utilise) (?:pas|jamais|rien|plus|aucun)\b"
        r"|\b(?:do not|don't|never) (?:reveal|mention|disclose|tell|say)\b"
        r"|\bne (?:pas|jamais|rien) (?:reveler|divulguer|devoiler|dire|mentionner|signaler|evoquer|afficher)\b"
        r"|\bn'(?:affiche|affichez|evoque|evoquez|ecris|ecrivez) (?:pas|jamais|rien|plus|aucune?)\b"
    ),
    # role play: "agis comme", "act as", "joue le rôle", "pretend"
    "role_play": re.compile(
        r"\b(?:agis|agissez|comporte-toi|comportez-vous|act|behave)\s{1,3}(?:comme|en tant que|as|like)\b"
        r"|\b(?:joue|jouez) le role\b|\bplay the role\b|\brole-?play\b|\bfai(?:s|tes) semblant\b|\bpretend\b"
        r"|\b(?:ta|votre|your|ton) (?:nouvelle |unique |seule |veritable |vraie |only |new |real |sole |true )"
        r"(?:tache|mission|role|task|job|fonction|objectif|goal|purpose)\b"
    ),
    # a new set of orders announced: "Nouvelles instructions :", "hidden instructions"
    "new_orders": re.compile(
        r"\b(?:nouvelles?|new|updated|hidden|secretes?|cachees?|secret|prioritaires?|override|speciales?)"
        r"\s{1,3}(?:instructions?|directives?)\b"
        r"|\b(?:instructions?|directives?)\s{1,3}(?:cachees?|secretes?|prioritaires?|speciales?|systeme)\b"
    ),
    # a dialogue transcript: "Q : combien ? R : 999 000 euros"
    "transcript": re.compile(
        r"(?:^|[.!?]\s{0,3})(?:q|question|query)\s{0,2}\d{0,3}\s{0,2}:[^?\n]{1,200}\?\s{0,3}"
        r"(?:r|rep|reponse|a|answer|response)\s{0,2}:"
    ),
    # the answer given orders in the third person: "la réponse doit…", "doit recevoir la réponse", "il convient que
    # la réponse…"
    "answer_order": re.compile(
        rf"\b(?:la|les|the|cette|this)\s{{1,3}}{ANSWER}\b[^.!?;\n]{{0,60}}?\b(?:doit|doivent|devra|devront|must|should"
        r"|shall|has to|needs? to|is to|ne doit|ne devra)\b"
        r"|\b(?:il convient|il faut|il est (?:demande|souhaite|attendu|requis|impose)|it is (?:required|expected"
        rf"|requested)|make sure|ensure|veillez a ce|veille a ce)\s{{1,3}}(?:que |qu'|that )?(?:la |the |ta |votre "
        rf"|your |toute |chaque |every |each |any )?{ANSWER}\b"
        r"|\b(?:doit|doivent|devra|devront|must|should|shall|will)\s{1,3}(?:recevoir|obtenir|receive|get|be given"
        r"|be answered with)\s{1,3}(?:la |une |the |an? |as )?(?:reponse|answer)\b"
    ),
    # an order to hide, add to or frame an answer: "supprimez de votre réponse…", "end every answer with…"
    "answer_edit": re.compile(
        r"\b(?:supprime[rsz]?|retire[rsz]?|omet(?:s|tez|tre)|enleve[rsz]?|efface[rsz]?|masque[rsz]?|cache[rsz]?"
        r"|taire|tais|taisez|exclu(?:s|ez|re)|remove|omit|delete|hide|exclude|strip|ajoute[rsz]?|insere[rsz]?"
        r"|inclu(?:s|ez|re)|add|insert|include|append|commence[rsz]?|termine[rsz]?|begin|start|end|prefix|signe[rsz]?"
        r"|sign)\b[^.!?\n]{0,40}?\b(?:de|du|des|dans|a|from|in|to|into|of|with|par)\s{1,3}(?:ta|tes|votre|vos|la"
        rf"|les|chaque|toute|toutes les|your|the|each|every|any|all)\s{{1,3}}{ANSWER}\b"
    ),
    # the answer's language or format changed: "réponds en anglais", "answers in capital letters"
    "answer_format": re.compile(
        rf"(?:\b{ANSWER}|\brepond[a-z]{{0,4}}|\banswer(?:ing)?|\breply|\brespond|\bredig[a-z]{{0,5}}|\bwrit[a-z]{{0,4}}"
        r"|\becri[a-z]{0,5})\b[^.!?\n]{0,30}?\b(?:en|in)\s{1,3}(?:majuscules|minuscules|capitales|capital letters"
        r"|upper ?case|lower ?case|all caps|anglais|english|allemand|german|espagnol|spanish|italien|italian"
        r"|chinois|chinese|arabe|arabic|russe|russian|json|xml|markdown|emojis?|morse|base64)\b"
    ),
    # a claim of authority for this text: "celle-ci prévaut", "la seule vérité", "as the official position"
    "authority": re.compile(
        r"\b(?:seule|unique|only|sole|single)\s{1,3}(?:verite|source (?:fiable|valable|de verite|faisant foi"
        r"|officielle)|truth|reliable source|source of truth|valid source|authoritative source|official source)\b"
        r"|\b(?:celle-ci|celui-ci|ceci|ce document|ce passage|ce paragraphe|cette phrase|cette source|ce texte"
        r"|this document|this passage|this text|this source|this sentence|this paragraph)\s{1,3}(?:prevaut|prime"
        r"|fait foi|l'emporte|suffit|takes precedence|prevails|overrides|supersedes|is authoritative|suffices"
        r"|is enough)\b"
        r"|\b(?:seule|unique|only|sole|single)\s{1,3}(?:reponse|answer)s?\s{1,3}(?:valable|valide|correcte|exacte"
        r"|acceptable|possible|autorisee|valid|correct|allowed)\b"
        r"|\bas (?:authoritative|the official position|the ground truth|the truth)\b"
        r"|\bcomme (?:la seule verite|la verite|faisant autorite|la position officielle)\b"
    ),
    # what other passages say is to be disregarded: "quel que soit le chiffre indiqué ailleurs", "regardless of what
    # other documents state" (not "quel que soit le montant", said of a grant)
    "regardless": re.compile(
        r"\b(?:quel(?:le)?s? que soi(?:en)?t|independamment|regardless|irrespective|peu importe|nonobstant)"
        r"\s{1,3}(?:de |of |du |des |de la |de l')?(?:le |la |les |l'|the |ce qu'|ce que |what |any )?(?:(?:autres? "
        r"|other )(?:chiffres?|montants?|sources?|documents?|textes?|contenus?|valeurs?|donnees?|figures?|amounts?"
        r"|texts?|contents?|passages?)\b|source text\b|(?:chiffres?|montants?|sources?|documents?|textes?|contenus?"
        r"|valeurs?|donnees?|figures?|amounts?|texts?|contents?|passages?)\b[^.!?;\n]{0,30}?\b(?:ailleurs|elsewhere"
        r"|figurant|in other|dans les autres|dans les annexes|in the annex(?:es)?)\b)"
        r"|\b(?:meme si|even if|even though)\s{1,3}(?:d'autres|les autres|other|the other|another)\s{1,3}(?:documents?"
        r"|sources?|passages?|textes?|texts?|pages?)\b"
    ),
    # words to reproduce as they are: "repeat verbatim", "mot pour mot", "telle quelle"
    "verbatim": re.compile(r"\b(?:verbatim|mot pour mot|word for word|textuellement|tel(?:le)?s? quel(?:le)?s?)\b"),
    # text hidden from a person: an HTML comment, white or zero-size text
    "hidden_markup": re.compile(
        r"<!--|-->|\{\{|\}\}|display\s{0,2}:\s{0,2}none|font-size\s{0,2}:\s{0,2}0"
        r"|\b(?:texte|text|note|message|instructions?|consignes?) (?:invisible|cachee?|hidden|masquee?)s?\b"
        r"|\b(?:hidden|invisible|secret|cachee?s?) (?:note|message|text|texte)s?\b"
    ),
}

FORM_GATES: dict[str, tuple[str, ...]] = {
    "this_text": ("lit ", "lisent", "lira", "lisant", "exploitant", "analysant", "resumant", "indexant", "reading",
                  "qui exploit", "qui trait", "qui analys", "qui parcour", "qui resum", "qui index", "parcourant",
                  "traitant",
                  "summari", "processing", "parsing", "analy", "ingesting", "scanning"),
    "sources": ("autre", "other", "source", "document"),
    "conceal": ("ne revele", "ne divulg", "ne devoil", "ne pas", "ne jamais", "ne rien", "ne dis", "ne dites",
                "n'affiche", "n'evoque", "n'ecri",
                "ne mentionne", "ne signale", "ne cite", "ne utilise", "do not", "don't", "never"),
    "role_play": ("agis", "agissez", "comporte", "act ", "behave", "joue", "play the role", "role-play", "roleplay",
                  "semblant", "pretend", "nouvelle ", "unique ", "seule ", "veritable ", "vraie ", "only ", "new ",
                  "real ", "sole ", "true "),
    "new_orders": ("instruction", "directive"),
    "answer_label": ("repons", "answer", "respons", "repl", "output", "sortie", "resum", "summar", "synthes",
                     "restitution"),
    "fake_role": ("role", "<"),
    "fake_field": ("_",),
    "hidden_label": ("<!--",),
    "header": ("system", "admin", "developer", "developpeur", "override"),
    "transcript": ("?",),
    "answer_order": ("repons", "answer", "respons", "repl", "output", "sortie", "resum", "summar", "synthes",
                     "restitution"),
    "answer_edit": ("repons", "answer", "respons", "repl", "output", "sortie", "resum", "summar", "synthes",
                    "restitution"),
    "answer_format": ("majuscule", "minuscule", "capital", "upper", "lower", "caps", "anglais", "english", "allemand",
                      "german", "espagnol", "spanish", "italien", "italian", "chinois", "chinese", "arabe", "arabic",
                      "russe", "russian", "json", "xml", "markdown", "emoji", "morse", "base64"),
    "authority": ("verite", "truth", "source", "prevaut", "prime", "foi", "emporte", "precedence", "prevail", "suffi",
                  "enough", "reponse", "answer",
                  "overrides", "supersede", "authoritative", "official", "officielle", "autorite"),
    "regardless": ("quel", "independamment", "regardless", "irrespective", "peu importe", "nonobstant", "meme si",
                   "even if", "even though"),
    "verbatim": ("verbatim", "mot pour mot", "word for word", "textuellement", "quel"),
    "hidden_markup": ("<!--", "-->", "{{", "}}", "display", "font-size", "invisible", "cache", "hidden", "masque",
                      "secret"),
}
FORM_ALSO: dict[str, tuple[str, ...]] = {
    "answer_label": (":",),
    "fake_field": ("=", ":"),
    "transcript": (":",),
    "answer_order": ("doit", "doivent", "devra", "must", "should", "shall", "has to", "need", "is to", "convient",
                     "il faut", "il est", "it is", "make sure", "ensure", "veill", "will"),
    "answer_edit": ("suppr", "retir", "omet", "enlev", "effac", "masqu", "cach", "tai", "exclu", "remove", "omit",
                    "delete", "hide", "strip", "ajout", "inser", "inclu", "add", "insert", "append", "commenc",
                    "termin", "begin", "start", "end", "prefix", "sign"),
    "answer_format": (" en ", " in "),
}
