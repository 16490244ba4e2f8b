"""A two-page note whose first passage runs over the page break, for the tests of citation pages (tests/ is on the
path of every test folder)."""

from __future__ import annotations

from pathlib import Path

from pdfs import write_pages_pdf

NOTE = "note-centre-sante-granville.pdf"
TITLE = "Centre de santé de Granville – note de financement"
OPENING = "Le centre de santé de Granville ouvrira le 6 janvier 2025 dans les locaux de l’ancienne maternité."
CARRIER = "L’association Santé Littoral porte le projet avec la commune de Granville."
GRANT = "Une subvention de 48 000 euros est accordée par l’ARS pour l’équipement de télémédecine du centre."
DOCTORS = "Trois médecins généralistes y exerceront à temps plein dès l’ouverture."
PAGES = [[OPENING, CARRIER], [GRANT, DOCTORS]]  # short: one passage holds both pages
GRANT_QUESTION = "quelle subvention pour la télémédecine du centre de santé de Granville ?"
OPENING_QUESTION = "quand ouvre le centre de santé de Granville ?"


def write_note(folder: Path) -> Path:
    """The note as a text PDF in `folder`: the title and two paragraphs on page 1, two paragraphs on page 2."""
    return write_pages_pdf(folder / NOTE, TITLE, PAGES)
