"""The API's FastAPI app with its documentation page (/api/docs) served offline, in French.

Swagger UI's script and stylesheet come from the PyPI package `fastapi-offline` (Swagger UI 5, a runtime
dependency: nothing compiled, nothing fetched at run time), served by the app itself as FastAPI's "self-hosting
JavaScript and CSS for docs" recipe does; FastAPI's default page loads them from a CDN, a blank page offline.
`swagger-ui-bundle` on PyPI ships Swagger UI 4, which cannot read the OpenAPI 3.1 that FastAPI writes."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

API_DOCS = "/api/docs"
OPENAPI = "/api/openapi.json"
DOCS_ASSETS = "/api/docs/fichiers"

TITLE = "API de l'assistant ARS"
DESCRIPTION = (
    "Questions-réponses citées sur les documents de l'Agence régionale de santé : chaque réponse cite ses sources "
    "(document, page, passage) ou dit que les documents ne contiennent pas l'information.\n\n"
    "- **questions** : une réponse citée, en entier ou au fil de l'eau, et la recherche de passages ;\n"
    "- **documents** : la liste, l'ajout et le retrait des documents indexés (ajout et retrait réservés aux "
    "administrateurs) ;\n"
    "- **compatible OpenAI** : `/v1/chat/completions` et `/v1/models`, pour Open WebUI ou tout client OpenAI ;\n"
    "- **état** : le service répond-il, sur combien de documents.\n\n"
    "Accès : avec `ARS_API_TOKENS`, chaque appel porte l'en-tête `Authorization: Bearer <jeton>` ; "
    "`/api/health` répond sans jeton."
)
TAGS = [
    {"name": "questions", "description": "Poser une question, recevoir une réponse citée ; chercher des passages."},
    {"name": "documents", "description": "Les documents indexés : liste, fichier d'origine, ajout, retrait."},
    {"name": "compatible OpenAI", "description": "Les routes qu'attendent les clients OpenAI (Open WebUI…)."},
    {"name": "état", "description": "L'état du service, pour un répartiteur de charge."},
]
# Swagger UI would ask validator.swagger.io about the spec when the page is not on localhost: never leave the app.
SWAGGER_PARAMETERS = {"validatorUrl": None, "defaultModelsExpandDepth": 0}


def api_app() -> FastAPI:
    """A FastAPI app for the API's routes, its OpenAPI at /api/openapi.json and its page at /api/docs."""
    app = FastAPI(title=TITLE, version="1", description=DESCRIPTION, openapi_tags=TAGS,
                  docs_url=None, redoc_url=None, openapi_url=OPENAPI)
    assets = resources.files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="api-docs-assets")

    @app.get(API_DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=OPENAPI,
            title=f"{TITLE} — documentation",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )
        # the page is French: say so, for screen readers and translation prompts
        return HTMLResponse(bytes(page.body).replace(b"<html>", b'<html lang="fr">', 1))

    return app
