"""Small French corpus for the index tests: passages of ARS Normandie documents, and labelled questions."""

from __future__ import annotations

import hashlib

from index.models import DocumentRecord
from ingest.models import Chunk

# source -> (title, [(page, section, text)])
DOCUMENTS: dict[str, tuple[str, list[tuple[int, str, str]]]] = {
    "orne-plan-crack.pdf": (
        "Feuille de route de l'Orne : plan crack",
        [
            (
                7,
                "Mettre en œuvre le plan crack et réduire les addictions",
                "Afin de compléter cette offre d'accompagnement, l'ARS Normandie a déclenché en 2022 le "
                "financement de deux projets majeurs : 220 000 euros sur 3 ans pour un projet porté par "
                "l'association Drog'Aide 61 (Fondation Normandie Générations) et spécifiquement dédié à la "
                "prise en compte du crack et 258 000 euros sur 3 ans pour un programme de prévention des "
                "addictions auprès des jeunes porté par la ville d'Alençon.",
            ),
            (
                7,
                "Améliorer la prévention et accompagner les consommateurs de crack",
                "Le Pôle de prévention des conduites addictives d'Alençon (Addictions France) coordonne les "
                "équipes de prévention et les formateurs « relais anti-drogue », associant les forces de "
                "sécurité intérieure et les associations spécialisées pour mener des programmes complets de "
                "prévention à l'attention des jeunes et des publics vulnérables.",
            ),
            (
                8,
                "La prise en charge des consommateurs",
                "L'accueil au centre d'accueil et d'accompagnement à la réduction des risques pour les "
                "usagers de la drogue (CAARUD) est renforcé à travers le recrutement d'un éducateur "
                "spécialisé, la mise à disposition de matériel, le soutien des consommateurs dans l'accès "
                "aux soins et aux droits.",
            ),
            (
                7,
                "Mettre en œuvre le plan crack et réduire les addictions",
                "Depuis 2021, des subventions attribuées par la mission interministérielle de lutte contre "
                "les drogues et les conduites addictives (MILDECA) et l'Agence régionale de santé Normandie "
                "ont été engagées dans la lutte contre la consommation de produits stupéfiants dans le "
                "secteur d'Alençon. Au total, près de 44 000 euros ont été dédiés à l'accompagnement de "
                "différents publics.",
            ),
        ],
    ),
    "orne-crt.pdf": (
        "Feuille de route de l'Orne : vieillissement",
        [
            (
                3,
                "Création du CRT « Au cœur de la forêt »",
                "L'ARS a publié un appel à candidatures le 11 mai 2023 afin de créer 5 centres de ressources "
                "territoriaux sur la Normandie. C'est le CRT porté par l'EHPAD La Forêt qui a été retenu. Le "
                "CRT « Au cœur de la forêt » a ainsi été créé le 1er novembre 2023.",
            ),
            (
                3,
                "Création du CRT « Au cœur de la forêt »",
                "Le CRT peut être porté par un EHPAD ou un service à domicile. L'ARS dote chaque CRT à "
                "hauteur de 900 € par bénéficiaire du dispositif, avec une enveloppe globale annuelle de "
                "400 000€.",
            ),
            (
                4,
                "Améliorer le maintien à domicile des personnes âgées",
                "25 personnes en simultané peuvent bénéficier de cet accompagnement renforcé. L'objectif est "
                "d'éviter ou retarder l'entrée en EHPAD : téléassistance avec astreinte soignante, accueil "
                "d'urgence, accompagnement vers des plateformes de répit.",
            ),
        ],
    ),
    "orne-maison-femmes.pdf": (
        "Feuille de route de l'Orne : maison des femmes",
        [
            (
                5,
                "Maison des Femmes Santé de l'Orne",
                "Le jeudi 12 décembre 2024 a eu lieu le 1er COPIL du projet d'installation d'une maison des "
                "femmes-santé dans le département de l'Orne, en présence d'Elodie Bouchet, sage-femme "
                "missionnée par l'ARS Normandie.",
            ),
            (
                5,
                "Améliorer l'accès aux soins des personnes victimes de violences conjugales",
                "Le Plan interministériel pour l'égalité entre les femmes et les hommes 2023-2027 fixe "
                "l'objectif de doter chaque département d'un dispositif sanitaire dédié à la prise en "
                "charge des femmes victimes de violences d'ici 2025.",
            ),
            (
                6,
                "Améliorer l'accès aux soins des personnes victimes de violences conjugales",
                "L'ARS Normandie a missionné un chef de projet chargé d'élaborer ce nouveau dispositif "
                "départemental dans l'Orne. 50 000 euros ont été alloués à l'ingénierie de ce projet en "
                "2024.",
            ),
        ],
    ),
    "orne-suicide.pdf": (
        "Feuille de route de l'Orne : santé mentale",
        [
            (
                6,
                "Journée de prévention du suicide à Alençon",
                "A l'occasion de la journée mondiale de prévention du suicide, une conférence-débat à "
                "destination des professionnels a été organisée par le PTSM de l'Orne le 13 septembre 2024 "
                "au Centre Psychothérapique de l'Orne à Alençon. Les dispositifs 3114 et Vigilans ont été "
                "présentés.",
            ),
            (
                6,
                "Journée de prévention du suicide à Alençon",
                "Le département de l'Orne compte près de 70 décès par an par suicide (données 2019-2021, "
                "OR2S) ce qui représente 1,9% des décès. Une forte surmortalité est constatée par rapport à "
                "la France (1,4% des décès) et à la Normandie (1,7% des décès).",
            ),
            (
                6,
                "Améliorer la communication auprès des professionnels",
                "Un suicide impacte 6 à 14 personnes dans l'entourage et expose 135 personnes. Une des "
                "actions prioritaires est de former les professionnels pour structurer le repérage des "
                "personnes à risque.",
            ),
        ],
    ),
    "orne-reflexe-sante.pdf": (
        "Feuille de route de l'Orne : Réflexe Santé",
        [
            (
                9,
                "Réflexe Santé Normandie",
                "La campagne se compose de fiches pratiques qui visent à donner les bons gestes à adopter "
                "selon la situation qui concerne un enfant : fièvre, diarrhée, difficultés à respirer, "
                "choc, brûlure, piqûre d'insecte.",
            ),
            (
                9,
                "Réflexe Santé Normandie",
                "Des binômes d'animateurs formés animent des ateliers (3 en hiver, 2 en été et un sur les "
                "gestes d'urgence) pour sensibiliser les parents de jeunes enfants. En 2024, dans l'Orne, "
                "les villes d'Argentan et d'Alençon ont mis en place ces ateliers.",
            ),
        ],
    ),
    "orne-medecine-generale.pdf": (
        "Feuille de route de l'Orne : médecine générale",
        [
            (
                16,
                "Préparation de l'arrivée de la 4ème année de Médecine générale",
                "L'allongement de la formation adopté via la loi de financement de la sécurité sociale 2024 "
                "complète la formation des futurs médecins généralistes avec une 4ème année dite de docteur "
                "junior ambulatoire.",
            ),
            (
                16,
                "Préparation de l'arrivée de la 4ème année de Médecine générale",
                "Cette année supplémentaire sera essentiellement effectuée en stage ambulatoire (cabinet "
                "libéral, maisons de santé pluriprofessionnelles) sous un régime d'autonomie supervisée. Les "
                "internes seront incités à réaliser ces stages dans les zones sous denses.",
            ),
            (
                17,
                "Préparation de l'arrivée de la 4ème année de Médecine générale",
                "Les premiers étudiants entreront en 4ème année de formation à la rentrée universitaire "
                "2026-2027. Les travaux sont engagés afin de préparer leur arrivée sur les terrains de stage "
                "avec les médecins généralistes et les élus.",
            ),
        ],
    ),
    "cp-charte-attractivite.pdf": (
        "Charte partenariale d'engagement en faveur de l'attractivité des métiers de la santé",
        [
            (
                1,
                "Communiqué de presse",
                "Les acteurs normands mobilisés en faveur de l'attractivité des métiers de la santé se sont "
                "réunis mardi 8 octobre 2024 afin de signer une charte partenariale visant à faire converger "
                "l'ensemble des initiatives menées en Normandie.",
            ),
            (
                2,
                "Une charte partenariale",
                "La préfecture de région Normandie, l'ARS Normandie, France Travail, la Région Normandie, "
                "les départements du Calvados, de l'Eure, de la Manche, de l'Orne et de la Seine-Maritime, "
                "et l'Assurance Maladie ont signé la charte partenariale.",
            ),
            (
                2,
                "Trophées de l'attractivité",
                "L'ARS a souhaité déployer, dans le cadre d'un appel à projets, des « Trophées de "
                "l'Attractivité ». 10 projets innovants sont ainsi soutenus pour cette édition 2024 des "
                "Trophées de l'attractivité.",
            ),
        ],
    ),
    "orne-prs.pdf": (
        "Feuille de route départementale de l'Orne",
        [
            (
                1,
                "",
                "La mise en œuvre du Projet régional de santé 2023-2028 se traduit par une déclinaison "
                "départementale : une feuille de route départementale, résultat d'une co-construction avec "
                "chaque Conseil territorial de santé (CTS).",
            ),
            (
                1,
                "",
                "Dans l'Orne, le Projet régional de santé pour la période 2023-2028 s'articule autour de 12 "
                "priorités d'action, dont relever le défi du vieillissement et améliorer la santé mentale "
                "des Normands.",
            ),
        ],
    ),
    "sante-mentale-2025.pdf": (
        "Perspectives régionales 2025",
        [
            (
                15,
                "Santé mentale & psychiatrie",
                "La santé mentale sera la Grande cause nationale pour l'année 2025 et se déclinera en région "
                "autour de quatre objectifs prioritaires : la déstigmatisation, la prévention et le "
                "repérage précoce, l'accès aux soins, l'accompagnement des personnes concernées.",
            ),
            (
                15,
                "Santé mentale & psychiatrie",
                "L'année 2025 sera également l'année de lancement de la 2nde édition des 7 Projets "
                "territoriaux de santé mentale de Normandie (PTSM).",
            ),
        ],
    ),
}

# Questions a user could type, each with the passage that answers it: (source, position).
QUESTIONS: list[tuple[str, tuple[str, int]]] = [
    ("Combien l'ARS a-t-elle financé pour le projet crack de Drog'Aide 61 ?", ("orne-plan-crack.pdf", 0)),
    ("220 k€ crack", ("orne-plan-crack.pdf", 0)),
    ("programme de prévention des addictions auprès des jeunes à Alençon", ("orne-plan-crack.pdf", 0)),
    ("Qu'est-ce que le CAARUD ?", ("orne-plan-crack.pdf", 2)),
    ("subventions MILDECA stupefiants Alencon", ("orne-plan-crack.pdf", 3)),
    ("enveloppe annuelle de 400 000 € des centres de ressources territoriaux", ("orne-crt.pdf", 1)),
    ("montant par bénéficiaire d'un CRT", ("orne-crt.pdf", 1)),
    ("quand le CRT Au coeur de la foret a-t-il été créé ?", ("orne-crt.pdf", 0)),
    ("budget d'ingénierie de la maison des femmes", ("orne-maison-femmes.pdf", 2)),
    ("date du premier comité de pilotage maison des femmes", ("orne-maison-femmes.pdf", 0)),
    ("part des décès par suicide dans l'Orne", ("orne-suicide.pdf", 1)),
    ("1,9 % des deces", ("orne-suicide.pdf", 1)),
    ("conference prevention du suicide Alencon", ("orne-suicide.pdf", 0)),
    ("docteur junior quatrième année de médecine générale", ("orne-medecine-generale.pdf", 0)),
    ("quand les premiers étudiants entrent-ils en 4e année ?", ("orne-medecine-generale.pdf", 2)),
    ("qui a signé la charte partenariale sur l'attractivité ?", ("cp-charte-attractivite.pdf", 1)),
    ("combien de projets soutenus par les trophées de l'attractivité ?", ("cp-charte-attractivite.pdf", 2)),
    ("ateliers pour les parents sur les gestes d'urgence", ("orne-reflexe-sante.pdf", 1)),
    ("Conseil territorial de santé", ("orne-prs.pdf", 0)),
    ("objectifs de la grande cause nationale santé mentale 2025", ("sante-mentale-2025.pdf", 0)),
]


def document(source: str, edit: str = "", copy: int = 0) -> tuple[DocumentRecord, list[Chunk]]:
    """The record and chunks of one corpus document.

    `edit` replaces its last passage (a new version of the file); `copy` > 0 gives a file with the
    same text under another name, to make corpora of any size.
    """
    title, passages = DOCUMENTS[source]
    if copy:
        source = f"copie-{copy}-{source}"
    texts = [text for _, _, text in passages]
    if edit:
        texts[-1] = edit
    doc_id = hashlib.sha256("\n".join([source, *texts]).encode()).hexdigest()[:16]
    chunks = [
        Chunk(
            doc_id=doc_id,
            source=source,
            title=title,
            page=page,
            page_end=page,
            section=section,
            text=text,
            position=position,
        )
        for position, ((page, section, _), text) in enumerate(zip(passages, texts, strict=True))
    ]
    pages = max(page for page, _, _ in passages)
    return DocumentRecord(doc_id=doc_id, source=source, title=title, path=f"/docs/{source}", pages=pages), chunks


def all_documents() -> list[tuple[DocumentRecord, list[Chunk]]]:
    """Every corpus document, in a fixed order."""
    return [document(source) for source in DOCUMENTS]
