"""The HTTP API: REST routes under /api and an OpenAI-compatible chat endpoint under /v1, over the same
services as the page. Served beside the page by `ars-assistant ui` and alone by `ars-assistant api`.

Access: with ARS_API_TOKENS set, a request needs "Authorization: Bearer <token>" (or, beside the page,
the page's login session); with OpenID Connect configured, a JWT of the provider (ID token or access token)
is accepted too; without tokens the API follows the page: open when the page is open, the page's session
otherwise. Adding and removing documents needs an admin (ui/oidc.py: ARS_ADMIN_GROUPS, ARS_ADMIN_EMAILS; ui/auth.py:
password accounts marked ":admin" or named in ARS_ADMIN_EMAILS)."""

from __future__ import annotations

import hmac
import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.library import Library
from assistant.models import Answer
from assistant.schemas import AnswerOut, CitationOut, DocumentOut, PassageOut
from assistant.settings import Settings
from ingest.errors import UserError
from lang.plural import counted
from ui.api_docs import API_DOCS, api_app
from ui.errors import install_errors
from ui.oidc import User, load_oidc
from ui.security import allowed_origins, install_security
from ui.services import Services, check_port, open_services
from ui.tokens import BadToken, ProviderTokens, ProviderUnreachable

log = logging.getLogger(__name__)

MODEL_ID = "ars-assistant"
UNAUTHORIZED = (
    "Accès refusé : jeton d'accès absent ou invalide. Envoyez l'en-tête « Authorization: Bearer <jeton> » "
    "avec un des jetons de ARS_API_TOKENS (demandez-en un à l'administrateur) ou un jeton du fournisseur "
    "d'identité quand la connexion OpenID Connect est configurée."
)
SESSION_REQUIRED = "Connexion requise : connectez-vous d'abord à l'interface, ou utilisez un jeton d'accès."
NO_QUESTION = "Aucune question : envoyez au moins un message « user » qui contient la question."
ERROR_TEXT = "Une erreur inattendue a empêché la réponse ; le détail est dans le journal du serveur."

FORBIDDEN = ("Action réservée aux administrateurs : seuls les membres des groupes de ARS_ADMIN_GROUPS, les "
             "agents listés dans ARS_ADMIN_EMAILS et les comptes marqués « :admin » ajoutent ou retirent des "
             "documents. Demandez l'accès à votre administrateur.")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: a name for the logs, and whether they may add and remove documents."""

    name: str
    admin: bool


SessionCheck = Callable[[Request], Caller | None]  # the page's signed-in user, None when not signed in


_UNENCODABLE = re.compile("[\ud800-\udfff\x00]")  # one character class, no repetition: linear


def clean_text(text: str) -> str:
    """The text without what UTF-8 cannot carry (a lone surrogate, sent as "\\ud800" in JSON) nor NUL: either
    would fail deep in the answer instead of being read as an odd character."""
    return _UNENCODABLE.sub("\ufffd", text)


CleanText = Annotated[str, AfterValidator(clean_text)]


class AskRequest(BaseModel):
    question: CleanText = Field(description="La question, en français.", examples=["combien pour le plan crack ?"])
    history: list[CleanText] = Field(default=[], description="Questions précédentes de la conversation (suites).")


class SearchOut(BaseModel):
    query: str
    passages: list[PassageOut]


class UploadOut(BaseModel):
    name: str = Field(description="Nom du fichier envoyé.")
    source: str = Field(description="Nom sous lequel il est indexé et cité.")
    message: str


class RemovedOut(BaseModel):
    removed: list[DocumentOut]


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int
    passages: int
    embedding_model: str
    warm: bool  # False while the models answering needs are still loading after start-up (questions then wait)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: CleanText | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The OpenAI chat-completions request; fields the assistant does not use (temperature…) are accepted."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[ChatMessage]
    stream: bool = False


def tokens_of(settings: Settings) -> list[str]:
    return [t.strip() for t in (settings.api_tokens or "").split(",") if t.strip()]


class Access:
    """Who may call the API: a configured bearer token, a JWT of the OpenID Connect provider, else the page's session
    when the page has a login (`session` None: the page is open)."""

    def __init__(self, settings: Settings, session: SessionCheck | None = None) -> None:
        self.tokens = tokens_of(settings)
        self.session = session
        oidc = load_oidc(settings)
        self.provider: ProviderTokens | None = oidc.tokens() if oidc else None
        self.is_admin: Callable[[User], bool] = oidc.is_admin if oidc else lambda user: True
        self.groups_claim = oidc.groups_claim if oidc else "groups"

    def __call__(self, request: Request) -> Caller:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        given = given.strip() if scheme.lower() == "bearer" else ""
        if given and any(hmac.compare_digest(given.encode(), token.encode()) for token in self.tokens):
            return Caller("jeton ARS_API_TOKENS", admin=True)
        if given and self.provider is not None:
            return self._provider_caller(given)
        signed_in = self.session(request) if self.session is not None else None
        if signed_in is not None:
            return signed_in
        if self.tokens or self.provider is not None:
            raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        if self.session is not None:
            raise HTTPException(401, SESSION_REQUIRED)
        return Caller("anonyme", admin=True)  # no login anywhere: the page and the API are open (127.0.0.1)

    def admin(self, request: Request) -> Caller:
        """The caller if they may add and remove documents; else 403."""
        caller = self(request)
        if not caller.admin:
            raise HTTPException(403, FORBIDDEN)
        return caller

    def _provider_caller(self, token: str) -> Caller:
        assert self.provider is not None
        try:
            claims = self.provider.claims(token)
        except BadToken as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
        except ProviderUnreachable as exc:
            log.warning("checking a bearer token failed: %s", exc)
            raise HTTPException(503, "Le fournisseur d'identité ne répond pas : réessayez dans un instant.") from exc
        user = User.of(claims, self.groups_claim)
        return Caller(user.id, self.is_admin(user))


def api_router(services: Services, access: Access) -> APIRouter:
    """Every route of the API; `access` guards all but /api/health."""
    guarded, admins = [Depends(access)], [Depends(access.admin)]
    router = APIRouter()
    assistant, library = services.assistant, services.library

    @router.get("/api/health", tags=["état"], summary="État du service")
    def health() -> HealthOut:
        """Le service répond-il, sur combien de documents et de passages, et est-il prêt (`warm`) : un répartiteur de
        charge peut attendre `warm` avant d'envoyer des questions, qui attendraient sinon le chargement des modèles.
        Sans jeton."""
        status = assistant.index.status()
        return HealthOut(documents=status["documents"], passages=status["chunks"],
                         embedding_model=status["embedding_model"], warm=assistant.warm)

    @router.post("/api/ask", dependencies=guarded, tags=["questions"], summary="Poser une question")
    def ask(body: AskRequest) -> AnswerOut:
        """Une réponse citée (le JSON de `ars-assistant ask --json`), ou un refus qui nomme les documents proches."""
        return AnswerOut.of(assistant.ask(body.question, body.history))

    @router.post("/api/ask/stream", dependencies=guarded, tags=["questions"],
                 summary="Poser une question, réponse au fil de l'eau")
    def ask_stream(body: AskRequest) -> StreamingResponse:
        """La réponse au fil de l'eau (Server-Sent Events) : des événements « partial » ({"answer": texte}),
        puis un événement « answer » avec la réponse complète et ses citations."""
        return StreamingResponse(_answer_events(assistant.ask_stream, body.question, body.history),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @router.get("/api/search", dependencies=guarded, tags=["questions"], summary="Chercher des passages")
    def search(q: str = Query(min_length=1, max_length=1000), k: int = Query(5, ge=1, le=50)) -> SearchOut:
        """Les passages les plus proches d'un texte, avec leur score (recherche hybride), sans réponse rédigée."""
        return SearchOut(query=q, passages=[PassageOut.of(hit) for hit in assistant.index.search(q, k)])

    @router.get("/api/documents", dependencies=guarded, tags=["documents"], summary="Lister les documents")
    def documents() -> list[DocumentOut]:
        """Les documents indexés."""
        return [DocumentOut.of(d) for d in library.documents()]

    @router.get("/api/documents/{source}/file", dependencies=guarded, tags=["documents"], response_class=FileResponse,
                summary="Télécharger le fichier d'un document")
    def original(source: str) -> FileResponse:
        """Le fichier d'un document indexé (pour ouvrir la page citée), même ingéré par une autre machine."""
        path = library.resolve(source)
        if path is None:
            raise HTTPException(404, f"« {source} » : document introuvable dans l'index, ou fichier indisponible.")
        return FileResponse(path, filename=path.name, headers={"X-Content-Type-Options": "nosniff"})

    @router.post("/api/documents", dependencies=admins, status_code=201, tags=["documents"],
                 summary="Ajouter un document")
    def upload(file: UploadFile = File(description="PDF, DOCX, ODT, HTML, TXT ou MD.")) -> UploadOut:  # noqa: B008
        """Ajoute un document (mêmes contrôles que la page) ; un fichier du même nom remplace l'ancien. Refus :
        422 avec la raison en français."""
        return _upload(library, file)

    @router.delete("/api/documents/{source}", dependencies=admins, tags=["documents"], summary="Retirer un document")
    def remove(source: str) -> RemovedOut:
        """Retire un document de l'index (son fichier n'est supprimé que s'il a été envoyé par l'interface ou l'API)."""
        try:
            gone = library.remove(source)
        except UserError as exc:
            raise HTTPException(409, str(exc)) from exc
        if not gone:
            raise HTTPException(404, f"« {source} » n'est pas dans l'index : voyez GET /api/documents.")
        return RemovedOut(removed=[DocumentOut.of(d) for d in gone])

    @router.get("/v1/models", dependencies=guarded, tags=["compatible OpenAI"], summary="Lister les modèles")
    def models() -> dict[str, Any]:
        """Le modèle que les clients OpenAI (Open WebUI…) peuvent choisir."""
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "ars"}]}

    @router.post("/v1/chat/completions", dependencies=guarded, tags=["compatible OpenAI"],
                 summary="Discussion (compatible OpenAI)")
    def chat_completions(body: ChatRequest) -> Any:
        """La dernière question de l'utilisateur, les précédentes servant d'historique ; la réponse se termine par
        ses sources, et le champ « citations » les donne en JSON."""
        question, history = _asked(body)
        completion = Completion(f"chatcmpl-{uuid.uuid4().hex}", int(time.time()))
        if not body.stream:
            return completion.whole(assistant.ask(question, history))
        return StreamingResponse(completion.events(assistant.ask_stream, question, history),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return router


def install_api(app: FastAPI, services: Services, session: SessionCheck | None = None) -> None:
    """The API's routes on `app`, with errors as their clients expect them, in French (ui/errors.py):
    {"detail": ...} under /api, {"error": {"message": ...}} under /v1 (the OpenAI clients read that)."""
    app.include_router(api_router(services, Access(services.settings, session)))
    install_errors(app)


def create_api(settings: Settings, services: Services) -> FastAPI:
    """The API alone (`ars-assistant api`), its OpenAPI page at /api/docs."""
    app = api_app()
    install_api(app, services)
    install_security(app, settings, services.library.max_upload_bytes)
    return app


def _answer_events(
    stream: Callable[[str, list[str]], Iterator[Answer]], question: str, history: list[str]
) -> Iterator[str]:
    """Server-Sent Events: « partial » ({"answer": text}) as it is written, then « answer » (complete, cited)."""
    final: Answer | None = None
    for final in _answers(stream, question, history):
        yield _sse({"answer": final.text}, event="partial")
    if final is not None:
        yield _sse(AnswerOut.of(final).model_dump(), event="answer")


def _asked(body: ChatRequest) -> tuple[str, list[str]]:
    """The user's last question and the earlier ones in order (its history)."""
    asked = [q for q in (_text_of(m.content) for m in body.messages if m.role == "user") if q.strip()]
    if not asked:
        raise HTTPException(400, NO_QUESTION)
    return asked[-1], asked[:-1]


def _upload(library: Library, file: UploadFile) -> UploadOut:
    """An uploaded file added to the library (as the page adds it); a refusal is an HTTP error in French."""
    name = file.filename or "document"
    with tempfile.TemporaryDirectory(prefix="ars-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        try:
            result = library.add(path, name)
        except UserError as exc:  # another writer holds the index
            raise HTTPException(409, str(exc)) from exc
    if not result.ok:
        raise HTTPException(422, f"{result.source} : {result.message}")
    return UploadOut(name=result.name, source=result.source, message=result.message)


@dataclass(frozen=True, slots=True)
class Completion:
    """One answer as an OpenAI chat completion: whole, or as a stream of chunks ending with its sources."""

    id: str
    created: int

    def whole(self, answer: Answer) -> dict[str, Any]:
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": MODEL_ID,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer.with_sources()}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": [CitationOut.of(c).model_dump() for c in answer.citations],
            "refused": answer.refused,
        }

    def chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                     "model": MODEL_ID, "choices": [choice], **extra})

    def events(
        self, stream: Callable[[str, list[str]], Iterator[Answer]], question: str, history: list[str]
    ) -> Iterator[str]:
        yield self.chunk({"role": "assistant", "content": ""})
        sent, final = "", None
        for final in _answers(stream, question, history):
            if final.text.startswith(sent) and len(final.text) > len(sent):
                yield self.chunk({"content": final.text[len(sent):]})
                sent = final.text
        if final is None:
            return
        # a streamed chat-model answer the figure guard replaced: the checked answer follows, said so
        rest = final.with_sources()[len(sent):] if final.text == sent else (
            "\n\nRéponse vérifiée dans les documents :\n" + final.with_sources())
        if rest:
            yield self.chunk({"content": rest})
        yield self.chunk({}, "stop", citations=[CitationOut.of(c).model_dump() for c in final.citations],
                         refused=final.refused)
        yield "data: [DONE]\n\n"


def _answers(
    stream: Callable[[str, list[str]], Iterator[Answer]], question: str, history: list[str]
) -> Iterator[Answer]:
    """The partial answers of a question; an exception becomes a French error answer (logged), not a cut stream."""
    try:
        yield from stream(question, history)
    except Exception:
        log.exception("answering %r through the API failed", question)
        yield Answer(question=question, text=ERROR_TEXT, refused=True)


def _text_of(content: str | list[dict[str, Any]] | None) -> str:
    """A message's text: OpenAI content is a string or a list of parts ({"type": "text", "text": ...})."""
    if isinstance(content, list):
        return clean_text(" ".join(str(part.get("text", "")) for part in content if part.get("type") == "text"))
    return content or ""


def _sse(data: Any, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n"


def serve_api(settings: Settings) -> None:
    """Run the API alone until Ctrl+C."""
    import uvicorn


    allowed_origins(settings)  # a mistake in ARS_ALLOWED_ORIGINS stops here, before the models load
    check_port(settings.ui_host, settings.api_port)
    services = open_services(settings)
    app = create_api(settings, services)
    documents = len(services.library.documents())
    url = f"http://{settings.ui_host}:{settings.api_port}"
    print(f"API ARS Assistant : {url}/api  (documentation : {url}{API_DOCS} ; "
          f"{counted(documents, 'document indexé', 'documents indexés')} ; "
          "Ctrl+C pour arrêter)", flush=True)
    if not tokens_of(settings) and load_oidc(settings) is None:
        print("Attention : API sans jeton d'accès ; définissez ARS_API_TOKENS avant de l'ouvrir au réseau.", flush=True)
    uvicorn.run(app, host=settings.ui_host, port=settings.api_port, log_level="warning")
