"""What the faces (the page, the HTTP API) call: built once per process over the configured data directory."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from assistant.conversations import ConversationStore, open_conversations
from assistant.discover import Discovery
from assistant.factory import build_assistant, open_index
from assistant.feedback import FeedbackStore, feedback_path
from assistant.library import Library
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.errors import UserError


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
    """The assistant, the library, the feedback store and the Découvrir content over the configured data directory."""
    index = open_index(settings)
    assistant = build_assistant(settings, index)
    return Services(
        assistant=assistant,
        library=Library(settings, index),
        feedback=FeedbackStore(feedback_path(settings)),
        settings=settings,
        discovery=Discovery(assistant) if assistant.catalog is not None else None,
        conversations=open_conversations(settings),
    )


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
