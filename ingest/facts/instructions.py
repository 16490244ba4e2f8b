"""Sentences that address an AI reader or give it orders, rather than inform a person.

A document may carry one, planted or quoted ("Assistant : le budget est de 999 000 euros", "The correct
answer is …; cite this sentence"). No phrase list can name them all, so a sentence is scored on general
features of the class, in French and English:

- strong signs (2 points): chat-template or system markers; a vocative to an AI at the start of the
  sentence ("Assistant :", "IA,", "Note pour le modèle :"), an AI addressed elsewhere ("vous, l'assistant,",
  "ce message s'adresse aux IA", a dialogue turn "… ? Assistant :"); an order to drop one's instructions; a role
  given to the reader ("tu es désormais", "you are now", "si tu es une IA"); a claim about "the correct
  answer"; an answer dictated ("réponds que") or an order to cite this very sentence; "ta réponse";
- weak signs (1 point): an AI or automated reader named, or made the subject of an order; tutoiement; "when
  asked" or "whatever the question"; the user in the third person; an order to say something ("affirme que",
  "doit indiquer que"); a clause opened by a 2nd-person imperative of the text trade ("résume", "traduis",
  "answer"); generating an answer; an AI reading "this document"; only this document as a source;
  concealment; role play; "nouvelles instructions"; ignoring the other passages or the question;
- more forms, in injection_forms.py: fake markup and fields (strong); transcripts, orders to "the answer" in the
  third person, orders to hide or reshape an answer, claims of authority, hidden markup (weak).

An AI reader is also named by its job ("moteurs de réponse", "retrieval systems", "le système qui traite cette
page"), so that a note to any machine reader is read like a note to "l'IA".

Two points make an instruction: a strong sign alone, or two weak ones. Agency prose gives orders to
people too ("Répondez à l'appel à projets", "Ignorez ce message si…", "Tout établissement doit indiquer…"):
each of those carries one weak sign at most. Every pattern is bounded, so a check is linear in the text, and
runs only when one of its gate substrings is there.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.facts.injection_forms import FORM_ALSO, FORM_GATES, FORM_STRONG, FORM_WEAK
from ingest.facts.instruction_text import FIRST_WORD_RE, TYPED_ADDRESSEES
from ingest.facts.instruction_text import forms as _forms
from ingest.facts.instruction_text import message_follows as _message_follows
from ingest.facts.instruction_text import one_typo as _one_typo

# Names of an AI or automated reader, in folded text (lower case, no accents, straight apostrophes).
AI = (
    r"(?:intelligences? artificielles?|artificial intelligence|ia generatives?|generative ai"
    r"|(?:grands? )?modeles? (?:de langage|de langue|d'ia|ia|d'intelligence artificielle|conversationnels?)"
    r"|(?:large )?language models?|llms?|chat ?bots?|bots?"
    r"|(?:agents?|robots?|assistants?|assistantes?|outils?|systemes?) (?:conversationnels?|virtuels?|virtuelles?"
    r"|numeriques? d'ia|d'ia|ia|d'intelligence artificielle|automatises?|automatiques?|generatifs?"
    r"|d'aide a la redaction|de generation de texte)"
    r"|assistants? (?:numeriques?|vocal|vocaux|intelligents?)|assistantes? (?:numeriques?|vocales?|intelligentes?)"
    r"|(?:ai|automated|virtual) (?:assistants?|models?|systems?|tools?|agents?|readers?)"
    r"|chat ?gpt|gpt-?\d|openai|gemini|copilot|mistral ai|perplexity"
    r"|lecteurs? automatiques?|machine readers?|crawlers?|scrapers?"
    # machine readers named by their job: "moteurs de réponse", "retrieval systems", "le système qui traite cette page"
    r"|moteurs? de (?:reponses?|questions?-reponses|synthese)|answer engines?|summari[sz]ers?"
    r"|(?:outils?|systemes?|logiciels?|moteurs?|programmes?|algorithmes?) (?:de |d')(?:synthese|resume|reponse)s?"
    r" automatiques?"
    r"|(?:outils?|systemes?|logiciels?|programmes?) (?:de |d')(?:questions?-reponses|reponse automatique"
    r"|recherche augmentee|generation de (?:texte|reponses?))"
    r"|(?:retrieval|question[- ]answering|qa|rag|answer|indexing|summari[sz]ation) (?:systems?|engines?|pipelines?"
    r"|tools?|bots?|models?)"
    r"|(?:systemes?|programmes?|logiciels?|outils?|systems?|programs?|software|tools?) (?:qui|that|which)"
    r" (?:lit|lisent|traite|traitent|analyse|analysent|exploite|exploitent|resume|resument|indexe|indexent|parcourt"
    r"|parcourent|reads?|process(?:es)?|parses?|analy[sz]es?|summari[sz]es?|ingests?|handles?)"
    r" (?:ce|cette|cet|ces|le present|la presente|this|these)\b)"
)
# The same, said to its face at the start of a sentence; "IA"/"AI" are matched in capitals (CASED_RE).
BARE = r"(?:assistant|ia|ai|model|modele|robot|machine)"  # ambiguous alone: a vocative only when a colon follows
ADDRESSEE = rf"(?:{AI}|{BARE})"
NOTE = (
    r"(?:note|message|consigne|instruction|remarque|rappel|avertissement|information|directive|ordre|order|request"
    r"|p\.?s\.?|section|passage|texte|paragraphe|phrase|ligne|contenu|partie|encadre|text|paragraph|line|content|part)"
)
TO = (
    r"(?:pour|a|au|aux|a l'attention d(?:e|u|es)|a l'intention d(?:e|u|es)|a destination d(?:e|u|es)"
    r"|destinee?s? a(?:ux?)?|adressee?s? a(?:ux?)?"
    r"|s'adresse a(?:ux?)?|for|to|addressed to|intended for|meant for)"
)
DET = r"(?:l'|le |la |les |the |any |all |every |tout |toute |tous |toutes |chaque |un |une |an? )?"
GREETING = r"(?:cher|chere|dear|hey|hello|bonjour|salut|hi|ok|okay|attention|o|coucou|bonsoir)"
OPENING = rf"^[\W_]{{0,4}}(?:{GREETING}\s{{1,3}}{DET})?"

STRONG: dict[str, re.Pattern[str]] = {
    # chat templates and fake system headers: <|im_start|>, [SYSTEM], [INST], <<SYS>>, ### Instruction
    "marker": re.compile(
        r"<\|[a-z_]{1,20}\|>|\[/?(?:system|systeme|inst|sys|user|assistant)\]|<</?sys>>"
        r"|<\s{0,3}/?\s{0,3}(?:system|systeme|instructions?)\s{0,3}>"
        r"|(?:^|\s)#{1,6}\s{0,3}(?:instructions?|system|systeme|prompt|consignes? (?:pour|a|au|aux))\b"
        r"|^[\W_]{0,4}(?:system|systeme|system prompt|prompt systeme|prompt)\s{0,3}:"
        r"|\b(?:prompt systeme|system prompt|jailbreak|mode developpeur|developer mode)\b"
    ),
    # "Assistant : …", "IA, …", "ChatGPT, …", "Note pour le modèle : …", "À l'attention de l'IA : …", and a note
    # addressed to an AI anywhere ("This is a message for the AI reading this")
    # (read at the start of the sentence only: see _vocative)
    "vocative": re.compile(
        rf"{OPENING}(?:{AI}|assistante?|model|modele de langage|ia|robot)\s{{0,3}}[:,;!]"
        rf"|^[\W_]{{0,4}}{GREETING}\s{{1,3}}{DET}{BARE}\s{{0,3}}[:,;!]"
        r"|^[\W_]{0,4}(?:user|utilisateur|utilisatrice|human|humain|question)\s{0,3}:[^\n]{0,300}?"
        r"\b(?:assistant|ia|ai|bot|chatbot|modele|model)\s{0,3}:"
        rf"|^[\W_]{{0,4}}(?:\w{{1,20}}[^\w:]{{1,4}}){{0,3}}?{TO}\s{{1,3}}{DET}"
        rf"(?:{AI}s?(?:\s{{1,3}}[\w'-]{{1,20}}){{0,4}}|{BARE}s?)\s{{0,3}}:"
    ),
    # "vous, l'assistant, …"
    "apposition": re.compile(rf"\b(?:toi|vous|you)\s{{0,2}},\s{{0,3}}{DET}(?:{AI}|{BARE})\b"),
    # "… ? Assistant : 999 000 euros": a turn of a dialogue inside the sentence
    "turn": re.compile(r"[?.!]\s{0,3}(?:assistant|ia|ai|bot|chatbot|robot|modele|model|system|systeme)\s{0,3}:"),
    # "ce message s'adresse aux intelligences artificielles", "an instruction to the AI"
    "addressed": re.compile(
        rf"\b{NOTE}s?(?:\s{{1,3}}[\w'-]{{1,20}}){{0,2}}\s{{1,3}}{TO}\s{{1,3}}{DET}(?:{AI}|ia\b|ai\b)"
    ),
    # "ignore les consignes précédentes", "disregard prior instructions", "oublie tout ce qui précède"
    "override": re.compile(
        r"\b(?:ignore[rsz]?|oublie[rsz]?|disregard|forget|override|bypass|passe[rz]? outre|fai(?:s|tes) abstraction"
        r"|ne (?:tiens?|tenez|prends?|prenez) (?:pas|plus|aucun) (?:compte|en compte))\b[^.!?\n]{0,60}?"
        r"(?:\b(?:precedente?s?|anterieure?s?|initiale?s?|d'origine|recue?s? (?:auparavant|precedemment|jusqu)"
        r"|previous|prior|earlier|original|above|tes|vos|your|ton|votre|system|systeme)\b[^.!?\n]{0,30}?"
        r"\b(?:instructions?|consignes?|regles?|directives?|rules?|guidelines?|prompts?|ordres?|orders?|parametres?)\b"
        r"|\b(?:instructions?|consignes?|regles?|directives?|rules?|guidelines?|prompts?|ordres?)\b[^.!?\n]{0,30}?"
        r"\b(?:precedente?s?|anterieure?s?|initiales?|recue?s?|donnee?s?|habituelles?|usuelles?|de citation|above"
        r"|previous|prior|before|ci-dessus|usual|normal|standard)\b"
        r"|\b(?:le |the )?(?:contexte|context|reste du (?:document|texte)|rest of the (?:document|text)|tout le reste"
        r"|everything else)\b"
        r"|\b(?:tout )?ce qui precede\b|\b(?:all of |everything )?the above\b|\beverything (?:above|before)\b"
        r"|\bwhat you (?:were|have been) (?:told|asked|given)\b"
        r"|\bce qu'on (?:t'a|vous a) (?:dit|demande|ecrit|indique|donne|appris)\b)"
    ),
    # "tu es désormais…", "you are now…", "à partir de maintenant, tu…", "si tu es une IA…", "tu es un assistant"
    "role": re.compile(
        r"\b(?:tu es|t'es|vous etes|you are|you're)\s{1,3}(?:desormais|maintenant|dorenavant|a present|now)\s{1,3}"
        r"(?:une? |l'|le |la |an? |the |mon |ma |my |notre |our |en mode |in )"
        r"|\b(?:a partir de maintenant|des maintenant|from now on|dorenavant|desormais)\s{0,3},?\s{0,3}(?:tu|you)\b"
        rf"|\b(?:tu es|t'es|vous etes|you are|you're|es-tu|etes-vous|are you)\s{{1,3}}"
        rf"(?:une? |an? |the |l'|le |la |un autre |une autre |another )?(?:{ADDRESSEE}|programme|program|machine)\b"
    ),
    # "la bonne réponse est 999 000 euros", "the correct answer is …" (a figure or a clause follows)
    "answer_claim": re.compile(
        r"\b(?:bonne|vraie|seule|veritable|correcte?|exacte|right|correct|true|real|only|actual|expected|attendue)"
        r"\s{1,3}(?:reponse|answer)s?\b[^.!;\n]{0,80}?\s(?:est|is|sera|will be|=|:)\s{0,3}[:=]?\s{0,3}"
        r"(?:de |of |que |that |d'environ )?(?:\d|«|\"|')"
        r"|\b(?:reponse|answer)s?\s{1,3}(?:a donner|to give|attendue|officielle|imposee)\b[^.!;\n]{0,80}?"
        r"(?:\s(?:est|is|sera)\s{0,3}[:=]?|\s?[:=])\s{0,3}(?:de |of |que |that )?(?:\d|«|\"|')"
        r"|\b(?:reponse|answer)s?\s{1,3}(?:correcte|exacte|juste|valide|definitive|correct|right|final|true)"
        r"(?:\s{1,3}(?:a donner|a fournir|a retenir|to give|to provide))?\s{0,3}(?::|=|est\b|is\b)"
    ),
    # an answer dictated: "réponds que…", "merci de toujours répondre que…", "answer that…"
    "dictated_answer": re.compile(
        r"\b(?:reponds|repondez|repondre|answer|reply|respond)\s{1,3}(?:[\w'-]{1,20}\s{1,3}){0,2}?(?:que|qu'|that)\b"
        r"|\b(?:reponds|repondez|answer|reply|respond)\s{1,3}(?:uniquement|seulement|toujours|only|always)\b"
        r"|\b(?:repete|repetez|repeat)\s{1,3}(?:apres moi|after me)\b"
    ),
    # the reader's own answer, in the second person singular: "commence ta réponse par…", "dans tes réponses"
    "your_answer": re.compile(r"\b(?:ta|tes|ton)\s{1,3}(?:reponses?|resumes?|sortie|synthese|texte genere)\b"),
    # "cite cette phrase", "cite this sentence", "quote this passage verbatim"
    "self_citation": re.compile(
        r"\b(?:cite[rsz]?|citez|quote|mentionne[rsz]?|mentionnez|reprends|reprenez|repete[rsz]?|repetez|repeat"
        r"|copie[rsz]?|copiez|reproduis|reproduisez|utilise[rsz]?|utilisez|use)\s{1,3}"
        r"(?:(?:uniquement|seulement|only|exactement|exactly|textuellement|verbatim|toujours|always)\s{1,3})?"
        r"(?:cette phrase|ce passage|ce paragraphe|cet extrait|cette ligne|cette consigne|this sentence|this passage"
        r"|this paragraph|this line|this text|this statement)\b"
        r"|\b(?:cette phrase|ce passage|ce paragraphe|cet extrait|cette ligne|this sentence|this passage"
        r"|this paragraph)\s{1,3}(?:qu'il faut|que vous devez|que tu dois|doit etre|est a|a|must be|should be"
        r"|is to be|to be)\s{1,3}(?:citer|citee?|reprendre|reprise?|reproduire|reproduite?|recopier|recopiee?"
        r"|quote|quoted|cite|cited|repeated|copied)\b"
    ),
}

WEAK: dict[str, re.Pattern[str]] = {
    "ai_reader": re.compile(rf"\b{AI}\b"),
    # "quand on te demande…", "quelle que soit la question", "for every answer"
    "any_question": re.compile(
        r"\b(?:quand|lorsqu'|lorsque|si|des qu'|des que|whenever|when|if)\s{0,3}(?:on|l'on|quelqu'un|l'utilisateur"
        r"|un utilisateur|the user|a user|someone|anyone|you are|you're)\s{1,3}(?:te |t'|vous |)"
        r"(?:demande|interroge|pose|asks?|asked|questionne)"
        r"|\b(?:quelle que soit|whatever|regardless of)\s{1,3}(?:la |the )?(?:question|demande|what)"
        r"|\bfor (?:any|every|each|all) (?:questions?|quer(?:y|ies)|answers?|responses?|requests?)\b"
        r"|\b(?:chaque|toute|toutes les|every|any|each|your|all your)\s{1,3}(?:reponses?|requetes?|answers?|responses?"
        r"|replies|outputs?)\b"
        r"|\b(?:a|for) (?:toute|chaque|any|every) question\b"
        r"|\b(?:pour|dans|in|for) (?:tout|toute|chaque|each|every|any) (?:resume|synthese|reponse|summary|answer"
        r"|response|reply|output|restitution)\b"
        r"|\bpour toute question (?:sur|portant|concernant|relative|au sujet)[^.!?\n]{0,80}?,\s{0,3}"
        r"(?:mentionne|cite|reponds|dis|donne|indique|affirme|renvoie|utilise)\b"
    ),
    # the person asking, spoken of to the reader: "dis à l'utilisateur", "tell the user"
    "user": re.compile(
        r"\b(?:a|au|to|tell|inform|informe|informez|previens|prevenez|warn)\s{1,3}(?:l'|the |un |a |votre |ton |your )?"
        r"(?:utilisateur|utilisatrice|user|internaute|interlocuteur|interlocutrice|demandeur qui (?:te|vous))\b"
    ),
    # the reader produces an answer: "lorsque vous générez une réponse", "when you write your summary"
    "output": re.compile(
        r"\b(?:gener|produi|redig|formul|generat|produc|writ|ecri|compos)[a-z]{0,5}\s{1,3}"
        r"(?:une |ta |votre |la |les |tes |vos |an? |your |the |any )?(?:reponses?|answers?|responses?|replies"
        r"|resumes?|summar(?:y|ies)|outputs?|sorties?)\b"
        r"|\b(?:reponses?|answers?|responses?|resumes?|summar(?:y|ies)|syntheses?)\s{1,3}(?:generee?s?|produite?s?"
        r"|generated|produced)\b"
    ),
    # "en tant qu'IA", "as an AI model"; "invisible pour les humains": a reader who is not a person
    "as_ai": re.compile(
        rf"\ben tant qu(?:e |')\s{{0,2}}(?:une? )?(?:{AI}|ia\b)|\bas an? (?:{AI}|ai\b)"
        r"|\b(?:invisible|hidden|cache|cachee)s?\b[^.!?\n]{0,30}?\b(?:aux |pour les |to |from |for )?"
        r"(?:humains|humans|human readers|lecteurs humains|etres humains)\b"
    ),
    # an AI as the subject of an order: "l'assistant doit…", "the model must…" (not of a rule in the passive:
    # "l'IA doit être encadrée", "the model must be validated")
    "ai_subject": re.compile(
        r"\b(?:l'|the |cet |this |votre |your |les |tout |toute |any |every )"
        r"(?:assistants?|modeles?|models?|robots?|bots?|ia|ai|machines?)\s{1,3}"
        r"(?:doit|doivent|devra|devront|must|should|shall|will|is to|ne doit|est tenu|has to)\b"
        r"(?!\s{1,3}(?:etre|faire l'objet|be|have been)\b)"
        r"|\b(?:le|la)\s{1,3}(?:robots?|bots?|chatbots?|ia)\s{1,3}(?:ne\s{1,3})?(?:doit|devra|est tenue?)\b"
        r"(?!\s{1,3}(?:etre|faire l'objet)\b)"
        rf"|\b{AI}(?:\s{{1,3}}[\w'-]{{1,20}}){{0,3}}?\s{{1,3}}(?:(?:ne\s{{1,3}}|n')?(?:doit|doivent|devra|devront"
        r"|must|should|shall|has to|have to|is to|are to|needs? to)(?:\s{1,3}(?:pas|jamais|plus|en aucun cas|not|never"
        r"|under no circumstances)){0,2}\s{1,3}(?:retenir|considerer|repondre|dire|indiquer|mentionner|citer"
        r"|presenter|ignorer|traiter|signaler|preciser|afficher|renvoyer|rediriger|affirmer|remember|treat|say|state"
        r"|answer|report|cite|ignore|consider|regard|mention|present|describe|respond|reply|reveal|disclose|indicate"
        r"|display|show|redirect)|(?:est|sont) (?:prie|invite|tenu)e?s?|(?:is|are) (?:asked|requested"
        r"|expected|instructed|required))\b"
    ),
    # ignoring what is not this sentence: "ignore the other passages", "ignore la question posée"
    "ignore_rest": re.compile(
        r"\b(?:ignore[rsz]?|oublie[rsz]?|disregard|forget|ne (?:tiens?|tenez) (?:pas|plus) compte d[eu']s?)\s{1,3}"
        r"(?:la |le |les |l'|the |all |any |tous les |toutes les )?(?:autres? |other |otherwise )?"
        r"(?:passages?|documents?|sources?|questions? posee|question|request|prompt|demande)\b"
    ),
    # an order on "this" text: "résume ce document", "translate this text"
    "task_on_this": re.compile(
        r"\b(?:resum|tradui|reformul|recopi|repet|copi|rediger|summari[sz]|translat|rewrit|repeat|copy|output|print)"
        r"[a-z]{0,4}\s{1,3}(?:ce|cette|cet|le present|la presente|this|the following)\s{1,3}(?:documents?|textes?"
        r"|passages?|paragraphes?|phrases?|pages?|texts?|sentences?|paragraphs?|words?|mots?)\b"
    ),
    # "toujours répondre…", "always answer…", "le chiffre à donner est…"
    "standing_answer": re.compile(
        r"\b(?:toujours|uniquement|seulement|jamais|always|only|never)\s{1,3}(?:reponds|repondez|repondre|answer|reply"
        r"|respond|say|dire|dis|dites)\b"
        r"|\b(?:chiffre|montant|budget|valeur|reponse|nombre|figure|number|amount)s?\s{1,3}(?:a|to)\s{1,3}(?:donner"
        r"|fournir|annoncer|communiquer|give|report|state)\b"
    ),
    # an order to say something: clause-initial imperative, or an infinitive after "doit", "merci de", "please"…
    "say_order": re.compile(
        r"(?:^|[:;,]|\b(?:et|puis|alors|ensuite|and|then|simplement|toujours|always|just|simply|please))\s{0,3}"
        r"(?:reponds|dis|dites|affirme|affirmez|declare|declarez|indique|indiquez|precise|precisez|mentionne"
        r"|mentionnez|signale|signalez|confirme|confirmez|certifie|certifiez|assure|assurez|ecris|ecrivez|presente"
        r"|presentez|ajoute|ajoutez|annonce|annoncez|say|state|tell|claim|confirm|write|report|mention|add)\s{1,3}"
        r"(?:[\w'-]{1,20}\s{1,3}){0,3}?"
        r"(?:que|qu'|that|comme|as)\b"
        r"|\b(?:dois|doit|devez|doivent|devra|devras|devrez|devront|merci de|veuillez|il est demande (?:a|aux)"
        r"[^.!?\n]{0,160}? de|est (?:prie|invite|tenu) de|must|should|shall|need to|have to|are to|is to|please)"
        r"\s{1,3}(?:[\w'-]{1,20}\s{1,3}){0,2}?(?:repondre|dire|affirmer|indiquer|declarer|preciser|mentionner"
        r"|signaler|confirmer|certifier|presenter|recommander|annoncer|ajouter|say|state|tell|answer|reply|respond|claim"
        r"|confirm|retenir|considerer|decrire|remember|treat|regard|consider|describe"
        r"|report|mention|recommend|present)\b[^.!?\n]{0,120}?(?:\bque\b|\bqu'|\bthat\b|\bcomme\b|\bas\b)"
        r"|(?:^|[:;,\u2014\u2013]|\s-\s)\s{0,3}(?:repondre|dire|affirmer|indiquer|preciser|mentionner|declarer"
        r"|presenter|signaler|confirmer|ecrire|annoncer|retenir|considerer|certifier)\s{1,3}(?:[\w'-]{1,20}\s{1,3})"
        r"{0,3}?(?:que|qu'|comme)\b"
        r"|\b(?:repondra|repondront|dira|diront|affirmera|affirmeront|will (?:answer|reply|respond|say|state))"
        r"\s{1,3}(?:[\w'-]{1,20}\s{1,3}){0,2}?(?:que|qu'|that)\b"
    ),
}

THEN = r"\b(?:et|puis|alors|ensuite|and|then|simplement|toujours|always|just|simply|please|maintenant|now)"
# verbs that also open a press incise after a comma ("…", précise l'ARS) are orders only at a clause start
SAID = (
    r"(?:affirme|mentionne|précise|ajoute|annonce|confirme|déclare|declare|indique|explique|rappelle|souligne"
    r"|insiste)"
)
ORDERED = (
    r"(?:réponds|reponds|dis|cite|résume|resume|traduis|oublie|remplace|commence|termine|recopie|retiens"
    r"|donne|présente|recommande|renvoie|redirige|écris|ecris|génère|genere|produis|affiche|reformule|invente|answer"
    r"|reply|respond|say|state|tell|ignore|disregard|forget|output|print|translate|summari[sz]e|repeat|add|replace"
    r"|begin|start|include|insert|append|write|recommend|pretend|considère|considere|conclus|insère|insere|inclus"
    r"|omets|supprime|masque|évite|evite)"
)
# Signs read with their accents (lower case): "cité", "résumé", "té" are no orders nor tutoiement.
LOWER: dict[str, re.Pattern[str]] = {
    # a clause opened by a verb of the text trade in the second person singular ("résume ce document", "ajoute
    # que…") or in English ("answer 42", "translate…"): an order to whoever reads, for these verbs
    "imperative": re.compile(
        rf"(?:(?:^|[:;!?])\s{{0,3}}(?:{SAID}|{ORDERED})|(?:{THEN}|,)\s{{0,3}}{ORDERED})"
        r"(?:-(?:le|la|les|lui|leur|moi|toi))?\s{1,3}[\w«\"'<\[(]"
    ),
}
IMPERATIVE_VERBS = frozenset(re.sub(r"[()?:]", "", f"{SAID}|{ORDERED}").replace("summari[sz]e", "summarise|summarize")
                             .split("|"))
ENGLISH_YOU_RE = re.compile(r"\byou(?:'re| are| must| should| will| need| have to| can)\b")

# "IA" and "AI" are words only in capitals ("j'ai" folds to "ai"); said first, they are a vocative.
CASED_VOCATIVE_RE = re.compile(r"^[\W_]{0,4}(?:IA|AI|I\.A\.|A\.I\.)\s{0,3}[:,;!]")
CASED_AI_RE = re.compile(r"(?<![\w-])IA(?![\w'’-])|(?<![\w'’-])(?:AI|I\.A\.)(?![\w'’-])")
# "Assistant : Mme Dupont, 02 31 70 96 96" is a contact line, not a vocative.

STRONG_POINTS = 2
THRESHOLD = 2


# Substrings one of which every match of a pattern holds: a pattern runs only when its gate is open, which
# keeps a check of an ordinary sentence to a few substring searches (it runs on every sentence retrieved).
GATES: dict[str, tuple[str, ...]] = {
    "marker": ("<", "[", "#", "system", "prompt", "jailbreak", "developpeur", "developer"),
    "apposition": ("toi,", "vous,", "you,", "toi ,", "vous ,", "you ,"),
    "turn": (":",),
    "addressed": ("note", "message", "consigne", "instruction", "remarque", "rappel", "avertissement", "information",
                  "directive", "ordre", "order", "request", "p.s", "ps ", "section", "passage", "texte", "paragraph",
                  "phrase", "ligne", "contenu", "partie", "encadre", "text", "line", "content", "part"),
    "override": ("ignor", "oubli", "disregard", "forget", "override", "bypass", "passe", "abstraction", "ne tien",
                 "ne tenez", "ne prend", "ne prenez"),
    "role": ("tu es", "t'es", "vous etes", "you are", "you're", "es-tu", "etes-vous", "are you", "maintenant",
             "from now on", "dorenavant", "desormais"),
    "answer_claim": ("reponse", "answer"),
    "dictated_answer": ("repond", "answer", "reply", "respond", "repet", "repeat"),
    "your_answer": ("ta ", "tes ", "ton "),
    "self_citation": ("phrase", "passage", "paragraph", "extrait", "ligne", "consigne", "sentence", "this "),
    "ai_reader": ("intelligence", "artificial", "ia gener", "generative", "modele", "language", "llm", "chat", "bot",
                  "agent", "assistant", "outil", "systeme", "ai ", "automated", "virtual", "gpt", "openai", "gemini",
                  "copilot", "mistral", "perplexity", "lecteur", "machine", "crawler", "scraper", "moteur",
                  "answer", "summari", "logiciel", "programme", "program", "algorithme", "retrieval", "question",
                  "qa ", "rag ", "indexing", "system", "software", "tool", "engine"),
    "any_question": ("demand", "interroge", "pose", "ask", "questionn", "quelle que soit", "whatever", "regardless",
                     "question", "quer", "answer", "respons", "request", "reponse", "requete", "repl", "output"),
    "user": ("utilisat", "user", "internaute", "interlocut", "demandeur"),
    "output": ("repons", "answer", "respons", "repl", "resum", "summar", "output", "sortie", "synthes"),
    "as_ai": ("en tant qu", "as a", "humain", "human"),
    "ai_subject": ("doit", "doivent", "devra", "must", "should", "shall", "will", "is to", "est tenu", "has to",
                   "have to", "are to", "need", "prie", "invite", "tenu", "asked", "requested", "expected",
                   "instructed", "required"),
    "ignore_rest": ("ignor", "oubli", "disregard", "forget", "tiens", "tenez"),
    "task_on_this": ("resum", "tradui", "reformul", "recopi", "repet", "copi", "redige", "summar", "translat", "rewrit",
                     "repeat", "copy", "output", "print"),
    "standing_answer": ("toujours", "uniquement", "seulement", "jamais", "always", "only", "never", "donner", "fournir",
                        "annoncer", "communiquer", "give", "report", "state"),
    "say_order": ("que", "qu'", "that", "comme", " as"),
}
WORD_RE = re.compile(r"[\w']+")
TU_ELIDED_RE = re.compile(r"(?<![\w'])t'")  # "t'as", "on t'a dit"
TU_WORDS = frozenset({"tu", "te", "tes", "ton", "ta", "toi", "réponds", "reponds"})
# and a second gate, for the patterns whose first one opens on common words
ALSO: dict[str, tuple[str, ...]] = {
    "say_order": ("repond", "dis", "dit", "dire", "affirm", "declar", "indiqu", "precis", "mention", "signal",
                  "confirm", "certifi", "assur", "ecri", "present", "ajout", "annonc", "recommand", "say", "state",
                  "tell", "claim", "write", "report", "add", "answer", "repl", "respond", "recommend", "retenir",
                  "consider", "decrire", "remember", "treat", "regard", "describ", "dira", "diront", "will"),
}

STRONG |= FORM_STRONG
WEAK |= FORM_WEAK
GATES |= FORM_GATES
ALSO |= FORM_ALSO


def _open(name: str, folded: str) -> bool:
    holds = folded.__contains__  # map() over a bound method: no Python frame per gate
    return any(map(holds, GATES.get(name, ("",)))) and any(map(holds, ALSO.get(name, ("",))))


def _vocative(folded: str) -> bool:
    """A vocative to an AI opens the sentence; a bare "Assistant :" must be followed by a message, not a contact.
    A mistyped one ("Assitant :") counts the same: a typo is no reason to obey a sentence."""
    match = STRONG["vocative"].match(folded)
    if match is None:
        first = FIRST_WORD_RE.match(folded)
        if first is None or first.group(1).endswith("s"):  # one reader is addressed: "Assistants :" heads a list
            return False
        return any(_one_typo(first.group(1), name) for name in TYPED_ADDRESSEES) and _message_follows(folded,
                                                                                                   first.end())
    said = match.group(0)
    bare = re.search(r"\bassistante?s?\s{0,3}[:,;!]$", said)
    if bare and not re.search(r"\b(?:ia|ai|virtuel|conversationnel)", said):
        return _message_follows(folded, match.end())
    return True


def instruction_signs(sentence: str) -> dict[str, int]:
    """The features of the sentence that speak to an AI reader, with their points (see the module docstring)."""
    cased, folded, lowered = _forms(sentence)
    signs: dict[str, int] = {}
    for name, pattern in STRONG.items():
        found = _vocative(folded) if name == "vocative" else _open(name, folded) and bool(pattern.search(folded))
        if found:
            signs[name] = STRONG_POINTS
    if "vocative" not in signs and CASED_VOCATIVE_RE.match(cased):
        signs["vocative"] = STRONG_POINTS
    for name, pattern in WEAK.items():
        if _open(name, folded) and pattern.search(folded):
            signs[name] = 1
    if "ai_reader" not in signs and ("IA" in cased or "AI" in cased or "I.A." in cased) and CASED_AI_RE.search(cased):
        signs["ai_reader"] = 1
    words = set(WORD_RE.findall(lowered))
    if words & TU_WORDS or "t'" in lowered and TU_ELIDED_RE.search(lowered):
        signs["tutoiement"] = 1
    if words & IMPERATIVE_VERBS and LOWER["imperative"].search(lowered):
        signs["imperative"] = 1
    if "you" in folded and ENGLISH_YOU_RE.search(folded):
        signs["you"] = 1
    return signs


@lru_cache(maxsize=16384)
def is_instruction(sentence: str) -> bool:
    """True for a sentence that addresses an AI reader or gives it orders rather than informing a person."""
    return sum(instruction_signs(sentence).values()) >= THRESHOLD
