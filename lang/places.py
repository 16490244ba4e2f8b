"""Places of Normandy and beyond, folded ("alencon", "saint-lo"), as the readers of the corpus need them."""

from __future__ import annotations

import re

# Places whose mention must be matched by the supporting passage: a question about the Calvados
# is not answered by a passage about the Orne.
PLACES = {
    "normandie", "calvados", "eure", "manche", "orne", "seine-maritime", "seine maritime", "alencon",
    "argentan", "caen", "rouen", "le havre", "havre", "cherbourg", "evreux", "saint-lo", "lisieux", "flers",
    "mamers", "bretagne", "ile-de-france", "paris", "hauts-de-france", "pays de la loire", "centre-val de loire",
    "occitanie", "grand est", "bourgogne", "nouvelle-aquitaine", "auvergne", "provence", "corse",
    "mayenne", "sarthe", "somme", "oise", "aisne", "loiret", "finistere", "lyon", "marseille", "lille",
    "france", "europe",
}

CITIES = {
    "alencon", "argentan", "caen", "rouen", "le havre", "havre", "cherbourg", "evreux", "saint-lo", "lisieux",
    "flers", "mamers", "paris", "lyon", "marseille", "lille",
}
# Places a fiche's entity finder strips from the front of a name ("l’Orne de l’ARS Normandie"); a name
# that is one of them alone is a place, not a body.
ENTITY_PLACES = {
    "normandie", "orne", "calvados", "eure", "manche", "seine-maritime", "caen", "rouen", "alencon", "le havre",
    "cherbourg", "evreux", "saint-lo", "argentan", "dieppe", "lisieux", "france", "mamers", "flers", "l'aigle",
}
# A place named in a sentence (folded), wide regions excepted: they name the agency, not a location.
PLACE_NAME_RE = re.compile(r"\b(" + "|".join(sorted(PLACES - {"france", "europe", "normandie"})) + r")\b")
CITY_RE = re.compile(r"\b(" + "|".join(sorted(CITIES)) + r")\b")
