"""French JSON errors for the API and the viewer's routes: every refusal says what is wrong and what to do,
and no traceback, exception text or server path ever reaches the client (bugs are logged with their trace).

The body is {"detail": message} under /api and elsewhere, {"error": {"message", "type", "code"}} under /v1,
the form OpenAI clients read."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lang.plural import counted

log = logging.getLogger(__name__)

INTERNAL = ("Erreur interne du serveur : la requête n'a pas pu aboutir. Réessayez ; si l'erreur persiste, "
            "signalez-la à l'administrateur (le détail est dans le journal du serveur).")
BAD_JSON = "Corps de requête illisible : ce n'est pas du JSON valide (UTF-8). Vérifiez sa syntaxe."
# Starlette's English reasons for the statuses it raises itself (unknown route, wrong method…)
GENERIC = {
    400: "Requête invalide : vérifiez son format.",
    401: "Connexion requise.",
    403: "Accès refusé.",
    404: "Adresse inconnue : vérifiez le chemin (la liste des routes de l'API est sur /api/docs).",
    405: "Méthode non autorisée sur cette adresse : voyez /api/docs pour les méthodes de chaque route.",
    413: "Requête trop volumineuse.",
    429: "Trop de requêtes : réessayez dans quelques secondes.",
}
KINDS = {  # pydantic's error types, said in French
    "missing": "champ obligatoire absent",
    "string_type": "doit être un texte",
    "list_type": "doit être une liste",
    "dict_type": "doit être un objet JSON",
    "model_type": "doit être un objet JSON",
    "model_attributes_type": "doit être un objet JSON",
    "int_parsing": "doit être un nombre entier",
    "int_type": "doit être un nombre entier",
    "bool_type": "doit être vrai ou faux",
    "bool_parsing": "doit être vrai ou faux",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "too_short": "trop court",
    "too_long": "trop long",
    "greater_than_equal": "trop petit",
    "less_than_equal": "trop grand",
    "greater_than": "trop petit",
    "less_than": "trop grand",
}
PLACES = {"body": "corps", "query": "paramètre", "path": "chemin", "header": "en-tête", "cookie": "cookie"}


def error_body(path: str, status: int, message: str) -> dict[str, Any]:
    """The JSON of an error as the clients of `path` read it."""
    if path.startswith("/v1/"):
        kind = ("authentication_error" if status == 401 else "server_error" if status >= 500
                else "rate_limit_error" if status == 429 else "invalid_request_error")
        return {"error": {"message": message, "type": kind, "code": status}}
    return {"detail": message}


def error_bytes(path: str, status: int, message: str) -> bytes:
    """error_body as the bytes of a response (for ASGI middleware, which has no Response class at hand)."""
    return json.dumps(error_body(path, status, message), ensure_ascii=False).encode("utf-8")


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """What is wrong with a request, in French: each field named with its problem (at most three)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return BAD_JSON
    said = []
    for error in errors[:3]:
        location = [str(part) for part in error.get("loc", ())]
        place = PLACES.get(location[0], location[0]) if location else "requête"
        field = ".".join(location[1:])
        kind = KINDS.get(str(error.get("type", "")), "valeur invalide")
        said.append(f"{place} « {field} » : {kind}" if field else f"{place} : {kind}")
    more = f" (et {counted(len(errors) - 3, 'autre', 'autres')})" if len(errors) > 3 else ""
    return "Requête invalide : " + " ; ".join(said) + more + ". Voyez le format attendu sur /api/docs."


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install_errors(app: FastAPI) -> None:
    """French JSON for refusals raised by the routes (HTTPException), by FastAPI (a body or parameter that does
    not fit), and by the router (unknown route, wrong method). Unexpected exceptions: ui/security.py's
    middleware turns them into a French 500, after logging their trace."""

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if not isinstance(detail, str) or detail == _phrase(exc.status_code):  # Starlette's own ("Not Found")
            detail = GENERIC.get(exc.status_code, GENERIC[400] if exc.status_code < 500 else INTERNAL)
        return JSONResponse(error_body(request.url.path, exc.status_code, detail), status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
        return JSONResponse(error_body(request.url.path, status, validation_message(errors)), status_code=status)
