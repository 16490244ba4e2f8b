"""What the faces (the page, the HTTP API) call: built once per process over the configured data directory."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

from assistant.conversations import ConversationStore, open_conversations
from assistant.discover import Discovery
from assistant.factory import build_assistant, open_index, open_library
from assistant.feedback import FeedbackStore, feedback_path
from assistant.library import Library
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.errors import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """What the page and the HTTP API call; built once per process."""

    assistant: Assistant
    library: Library
    feedback: FeedbackStore
    settings: Settings
    discovery: Discovery | None = None  # fiches, glossary and suggested questions (cached for the process)
    conversations: ConversationStore | None = None  # each agent's saved conversations; None: nothing is kept


def open_services(settings: Settings) -> Services:
    """The assistant, the library, the feedback store and the Découvrir content over the configured data directory.
    What answering loads lazily is loaded meanwhile in the background: the page and the API listen at once,
    and a question asked before the loading ends waits for it rather than loading it a second time."""
    index = open_index(settings)
    assistant = build_assistant(settings, index)
    threading.Thread(target=_warm_up, args=(assistant,), name="warm-up", daemon=True).start()
    return Services(
        assistant=assistant,
        library=open_library(settings, index),
        feedback=FeedbackStore(feedback_path(settings)),
        settings=settings,
        discovery=Discovery(assistant) if assistant.catalog is not None else None,
        conversations=open_conversations(settings),
    )


def _warm_up(assistant: Assistant) -> None:
    try:
        assistant.warm_up()
    except Exception:  # the first question will load it and report what fails, in French
        log.exception("warm-up failed")


def check_port(host: str, port: int) -> None:
    """A UserError now rather than a traceback from the server when the port is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(
                f"Erreur : impossible d'écouter sur {host}:{port} ({exc.strerror or exc}). "
                "Le port est peut-être déjà utilisé : choisissez-en un autre avec --port."
            ) from exc
