"""Whose conversations and feedback: the agent behind a request."""

from __future__ import annotations

import gradio as gr

LOCAL_AGENT = "local"  # the page opened without a login (127.0.0.1)


def agent_of(request: gr.Request | None) -> str:
    """Whose conversations: the signed-in user, or the local agent when there is no login."""
    name = getattr(request, "username", None) if request is not None else None
    return str(name) if name else LOCAL_AGENT
