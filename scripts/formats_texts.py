"""The texts of the formats corpus (scripts/render_formats.py renders them): an order, a report with
tables, minutes and a news article, written for the eval questions of eval/questions-formats.jsonl."""

from __future__ import annotations

from typing import Any

# A block is (style, content): "h1", "h2", "h3", "p", "li" with a string, "table" with rows of cells
# (the first row is the header), "break" (a page break, .odt only; PDFs take a list of pages).
Block = tuple[str, Any]

SCAN_TITLE = "Arrêté n° 2024-0412 portant autorisation d'un centre de santé à Vire Normandie"
SCAN_PAGES: list[list[Block]] = [
    [
        ("h1", SCAN_TITLE),
        ("p", "Le directeur général de l'Agence régionale de santé Normandie,"),
        ("p", "Vu le code de la santé publique, notamment ses articles L. 6323-1 et suivants ;"),
        ("p", "Vu la demande présentée le 4 mars 2024 par l'association Santé Bocage, dont le siège est situé "
              "12 rue de la Mairie à Vire Normandie ;"),
        ("p", "Considérant que le Bocage virois est classé en zone d'intervention prioritaire pour l'accès aux "
              "soins de premier recours ;"),
        ("h2", "Arrête"),
        ("p", "Article 1 : L'association Santé Bocage est autorisée à ouvrir un centre de santé polyvalent à "
              "Vire Normandie. Le centre de santé ouvrira ses portes le 2 septembre 2024."),
    ],
    [
        ("h2", "Article 2 : équipe et horaires"),
        ("p", "Le centre de santé accueille quatre médecins généralistes, deux infirmières et une sage-femme. "
              "Il est ouvert du lundi au vendredi de 8 h 30 à 19 h et le samedi matin."),
        ("h2", "Article 3 : financement"),
        ("p", "L'Agence régionale de santé accorde au centre de santé une aide au démarrage de 85 000 euros, "
              "versée en deux tranches. Une subvention complémentaire de 12 500 euros finance l'équipement "
              "en télémédecine."),
        ("p", "Fait à Caen, le 18 juin 2024."),
        ("p", "Pour le directeur général, le directeur de l'offre de soins."),
    ],
]

TABLES_TITLE = "Prévention et promotion de la santé : bilan des dotations 2023"
DOTATIONS = [
    ["Département", "Dotation 2022", "Dotation 2023", "Structures financées"],
    ["Calvados", "610 000 €", "645 800 €", "12"],
    ["Eure", "480 000 €", "512 300 €", "9"],
    ["Manche", "402 500 €", "431 000 €", "8"],
    ["Orne", "298 700 €", "305 000 €", "6"],
    ["Seine-Maritime", "1 020 000 €", "1 087 400 €", "17"],
    ["Total Normandie", "2 811 200 €", "2 981 500 €", "52"],
]
COUVERTURE = [
    ["Département", "Couverture 2022", "Couverture 2023"],
    ["Calvados", "55,1 %", "56,2 %"],
    ["Eure", "51,8 %", "53,0 %"],
    ["Manche", "57,3 %", "58,9 %"],
    ["Orne", "54,4 %", "55,7 %"],
    ["Seine-Maritime", "52,6 %", "54,1 %"],
]
TABLES_PAGES: list[list[Block]] = [
    [
        ("h1", TABLES_TITLE),
        ("p", "Ce bilan présente les crédits du fonds d'intervention régional (FIR) consacrés à la prévention "
              "et à la promotion de la santé dans les cinq départements normands."),
        ("h2", "Méthode"),
        ("p", "Les montants sont ceux des conventions signées avec les structures de prévention : associations, "
              "centres de santé sexuelle, maisons des adolescents. Une structure présente dans deux départements "
              "est comptée dans chacun d'eux."),
    ],
    [
        ("h2", "Dotations par département"),
        ("p", "Le tableau ci-dessous détaille les dotations versées aux structures de prévention en 2022 et en "
              "2023, et le nombre de structures financées en 2023."),
        ("table", DOTATIONS),
        ("p", "La hausse de 6 % entre 2022 et 2023 finance surtout la prévention des addictions."),
    ],
    [
        ("h2", "Couverture vaccinale contre la grippe des 65 ans et plus"),
        ("p", "La couverture vaccinale mesure la part des personnes de 65 ans et plus vaccinées contre la grippe "
              "pendant la campagne d'hiver."),
        ("table", COUVERTURE),
        ("p", "L'objectif national est une couverture de 75 %."),
    ],
]

ODT_TITLE = "Compte rendu du comité de pilotage santé mentale de l'Orne"
ODT_BLOCKS: list[Block] = [
    ("h1", ODT_TITLE),
    ("p", "Réunion du 26 novembre 2024 à Alençon, présidée par Mme Claire Lemoine, déléguée départementale "
          "de l'Orne."),
    ("h2", "Participants"),
    ("li", "le centre hospitalier intercommunal Alençon-Mamers ;"),
    ("li", "l'Union nationale de familles et amis de personnes malades et handicapées psychiques (Unafam) ;"),
    ("li", "la maison des adolescents de l'Orne ;"),
    ("li", "le conseil départemental de l'Orne."),
    ("h2", "Points abordés"),
    ("h3", "Projet territorial de santé mentale"),
    ("p", "Le projet territorial de santé mentale (PTSM) de l'Orne est prolongé jusqu'en 2026. Sa révision "
          "commencera au premier trimestre 2025."),
    ("h3", "Équipe mobile psychiatrie précarité"),
    ("p", "L'équipe mobile psychiatrie précarité couvre désormais le Perche et le pays d'Argentan. Elle a suivi "
          "214 personnes en 2024."),
    ("break", None),
    ("h2", "Financements 2024"),
    ("p", "Les crédits alloués en 2024 se répartissent ainsi :"),
    ("table", [
        ["Action", "Montant 2024"],
        ["Équipe mobile psychiatrie précarité", "180 000 €"],
        ["Maison des adolescents", "95 000 €"],
        ["Formations aux premiers secours en santé mentale", "32 000 €"],
    ]),
    ("h2", "Prochaine réunion"),
    ("p", "Le prochain comité de pilotage se réunira le 13 mars 2025 à Argentan."),
]

HTML_TITLE = "Vaccination contre la grippe : la campagne 2024-2025 est lancée"
HTML_DATE = "2024-10-15"
HTML_ARTICLE: list[Block] = [
    ("p", "Publié le 15 octobre 2024"),
    ("p", "La campagne de vaccination contre la grippe saisonnière débute le 15 octobre 2024 en Normandie et se "
          "poursuit jusqu'au 31 janvier 2025. Elle est couplée à la vaccination contre le Covid-19."),
    ("h2", "Qui peut se faire vacciner gratuitement ?"),
    ("p", "Le vaccin est pris en charge à 100 % par l'Assurance maladie pour :"),
    ("li", "les personnes de 65 ans et plus ;"),
    ("li", "les femmes enceintes ;"),
    ("li", "les personnes atteintes de certaines maladies chroniques ;"),
    ("li", "l'entourage des nourrissons de moins de 6 mois."),
    ("h2", "Où se faire vacciner ?"),
    ("p", "Les médecins, les pharmaciens, les infirmiers et les sages-femmes peuvent vacciner. En 2023, 1 250 "
          "pharmacies normandes ont participé à la campagne de vaccination."),
    ("h2", "Chiffres clés en Normandie"),
    ("table", [
        ["Indicateur", "Hiver 2023-2024"],
        ["Personnes vaccinées", "612 000"],
        ["Passages aux urgences pour grippe", "4 870"],
    ]),
]
