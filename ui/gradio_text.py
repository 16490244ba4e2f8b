"""French for Gradio's own words on the page, whatever the browser's language.

Gradio translates its components from the browser's language; its French says « Cliquez pour télécharger un
fichier » for an upload, which means *download*. These keys of Gradio's translations are replaced (Gradio's
documented I18n, passed to mount_gradio_app) for French browsers and for the English fallback that every other
browser gets, so that the page speaks one language."""

from __future__ import annotations

import gradio as gr

FRENCH = {
    "upload_text.drop_file": "Déposez vos fichiers ici",
    "common.or": "ou",
    "upload_text.click_to_upload": "Cliquez pour téléverser des fichiers",
    # what the live region announces when an event ends, or shows with a queue: keys that Gradio's own French
    # lacks (a screen reader would read « common.complete »)
    "common.complete": "Terminé",
    "common.progress": "Progression",
    "common.error": "Erreur",
    "common.loading": "Chargement",
    "status.queue_position": "Position dans la file d'attente",
}


def gradio_text() -> gr.I18n:
    """Gradio's translations with the page's French wording in place of its own."""
    return gr.I18n(fr=FRENCH, en=FRENCH)
