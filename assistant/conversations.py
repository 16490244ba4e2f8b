"""Conversations kept per agent in a SQL database (SQLite under the data directory, or any SQLAlchemy URL).

Every method takes the agent (the signed-in user's name) and reads or changes that agent's rows only.
Answers are stored as the JSON of `ask --json`, so that a reopened conversation shows the same answers
with the same citations.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import DateTime, Engine, ForeignKey, Integer, String, Text, create_engine, delete, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.models import Answer, Citation, Closest
from assistant.schemas import AnswerOut
from assistant.settings import Settings
from ingest.errors import UserError

log = logging.getLogger(__name__)

DATABASE_FILE = "conversations.sqlite3"
TITLE_CHARS = 120
PURGE_EVERY_S = 24 * 3600.0


class _Base(DeclarativeBase):
    pass


class ConversationRow(_Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_CHARS))
    created: Mapped[datetime] = mapped_column(DateTime())  # UTC, naive: SQLite keeps no time zone
    updated: Mapped[datetime] = mapped_column(DateTime(), index=True)


class TurnRow(_Base):
    __tablename__ = "turns"

    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, 2… in the order asked
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)  # AnswerOut JSON
    created: Mapped[datetime] = mapped_column(DateTime())
    feedback_id: Mapped[str | None] = mapped_column(String(32), default=None)  # the record in feedback.jsonl
    rating: Mapped[str | None] = mapped_column(String(8), default=None)  # "up" | "down"


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of an agent's list of conversations."""

    id: str
    title: str
    created: datetime  # UTC, aware
    updated: datetime


@dataclass(frozen=True, slots=True)
class StoredTurn:
    position: int
    question: str
    answer: Answer
    feedback_id: str | None = None
    rating: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    summary: ConversationSummary
    turns: tuple[StoredTurn, ...]


def database_url(settings: Settings) -> str:
    """The configured database, or SQLite under the data directory."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.data_dir / DATABASE_FILE).resolve()}"


def open_conversations(settings: Settings) -> ConversationStore:
    """The conversation store of these settings; old conversations are purged now (retention)."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return ConversationStore(database_url(settings), history_days=settings.history_days)


def title_of(question: str) -> str:
    """A conversation's default title: its first question on one line, cut to a sane length."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def answer_to_json(answer: Answer) -> str:
    return json.dumps(AnswerOut.of(answer).model_dump(), ensure_ascii=False)


def answer_from_json(text: str) -> Answer:
    """The Answer stored by answer_to_json, citations included."""
    out = AnswerOut.model_validate_json(text)
    return Answer(
        question=out.question,
        text=out.answer,
        citations=tuple(Citation(**c.model_dump()) for c in out.citations),
        refused=out.refused,
        mode=out.mode,
        timings_ms=dict(out.timings_ms),
        related_documents=tuple(out.related_documents),
        notes=tuple(out.notes),
        closest=tuple(Closest(**c.model_dump()) for c in out.closest),
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _summary(row: ConversationRow) -> ConversationSummary:
    return ConversationSummary(row.id, row.title, _aware(row.created), _aware(row.updated))


class ConversationStore:
    """Conversations and their turns; thread-safe (one engine, one short session per call)."""

    def __init__(self, url: str, history_days: int = 0, purge_every_s: float = PURGE_EVERY_S) -> None:
        self.history_days, self.purge_every_s = history_days, purge_every_s
        self.url = url
        shown = _shown(url)
        try:
            sqlite = make_url(url).get_backend_name() == "sqlite"
            # SQLite writes one at a time: a writer waits for the lock instead of failing at once
            self.engine: Engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise UserError(
                f"Erreur : base des discussions ARS_DATABASE_URL inutilisable ({shown} : {exc}). Donnez une URL "
                "SQLAlchemy, par exemple postgresql+psycopg://utilisateur:motdepasse@serveur/ars (installez alors "
                "psycopg : pip install \"psycopg[binary]\"), ou retirez-la pour utiliser SQLite."
            ) from exc
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_foreign_keys)
        try:
            _Base.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise UserError(
                f"Erreur : impossible d'ouvrir la base des discussions {shown} ({exc.__class__.__name__}). "
                "Vérifiez ARS_DATABASE_URL (serveur démarré, identifiants, droits) ou le dossier des données."
            ) from exc
        self._append_lock = threading.Lock()
        self._purge_lock = threading.Lock()
        self._purged_at = float("-inf")
        self.purge_if_due()

    # -- writing ---------------------------------------------------------------------------------
    def create(self, agent: str, title: str) -> str:
        """A new empty conversation of `agent`; returns its id."""
        self.purge_if_due()
        now, conversation_id = _now(), uuid.uuid4().hex
        with Session(self.engine) as session, session.begin():
            session.add(ConversationRow(id=conversation_id, agent=agent, title=title_of(title) or "Discussion",
                                        created=now, updated=now))
        return conversation_id

    def append(self, agent: str, conversation_id: str | None, question: str, answer: Answer) -> tuple[str, int]:
        """Add a turn to the agent's conversation (a new one, titled by the question, when there is none or
        it is gone); returns (conversation id, position of the turn)."""
        self.purge_if_due()
        if conversation_id is None or self._own(agent, conversation_id) is None:
            conversation_id = self.create(agent, question)
        now = _now()
        # the next position is read then written: one writer at a time in this process, and the row lock
        # (FOR UPDATE, ignored by SQLite) between processes sharing a server database
        with self._append_lock, Session(self.engine) as session, session.begin():
            conversation = session.get(ConversationRow, conversation_id, with_for_update=True)
            assert conversation is not None and conversation.agent == agent
            last = session.scalar(
                select(TurnRow.position).where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.position.desc()).limit(1)
            )
            position = 0 if last is None else last + 1
            session.add(TurnRow(conversation_id=conversation_id, position=position, question=question,
                                answer=answer_to_json(answer), created=now))
            conversation.updated = now
        return conversation_id, position

    def set_feedback(self, agent: str, conversation_id: str, position: int, feedback_id: str | None,
                     rating: str | None) -> bool:
        """Tie a rating (and its feedback record) to a turn of the agent's conversation; False if not found."""
        with Session(self.engine) as session, session.begin():
            turn = session.get(TurnRow, (conversation_id, position))
            owner = session.get(ConversationRow, conversation_id)
            if turn is None or owner is None or owner.agent != agent:
                return False
            turn.feedback_id, turn.rating = feedback_id, rating
        return True

    def rename(self, agent: str, conversation_id: str, title: str) -> bool:
        """Give the agent's conversation a new title; False if it is not the agent's or the title is empty."""
        title = title_of(title)
        if not title:
            return False
        with Session(self.engine) as session, session.begin():
            row = session.get(ConversationRow, conversation_id)
            if row is None or row.agent != agent:
                return False
            row.title = title
        return True

    def delete(self, agent: str, conversation_id: str) -> bool:
        """Delete one of the agent's conversations and its turns; False if it is not the agent's."""
        return self._delete(agent, [conversation_id]) > 0

    def delete_all(self, agent: str) -> int:
        """Delete every conversation of the agent; returns how many."""
        with Session(self.engine) as session:
            ids = list(session.scalars(select(ConversationRow.id).where(ConversationRow.agent == agent)))
        return self._delete(agent, ids)

    def purge(self, days: int, now: datetime | None = None) -> int:
        """Delete the conversations of every agent untouched for more than `days` days (retention)."""
        limit = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None) - timedelta(days=days)
        with Session(self.engine) as session, session.begin():
            ids = list(session.scalars(select(ConversationRow.id).where(ConversationRow.updated < limit)))
            for chunk in _chunks(ids):
                session.execute(delete(TurnRow).where(TurnRow.conversation_id.in_(chunk)))
                session.execute(delete(ConversationRow).where(ConversationRow.id.in_(chunk)))
        if ids:
            log.info("retention: %d conversation(s) older than %d days deleted", len(ids), days)
        return len(ids)

    def purge_if_due(self) -> int:
        """The retention purge, at start-up then on a write at most once a day per process (history_days 0:
        conversations are kept)."""
        if self.history_days <= 0:
            return 0
        with self._purge_lock:
            if time.monotonic() - self._purged_at < self.purge_every_s:
                return 0
            self._purged_at = time.monotonic()
        return self.purge(self.history_days)

    # -- reading ---------------------------------------------------------------------------------
    def conversations(self, agent: str) -> list[ConversationSummary]:
        """The agent's conversations, most recently updated first."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ConversationRow).where(ConversationRow.agent == agent)
                .order_by(ConversationRow.updated.desc(), ConversationRow.created.desc())
            )
            return [_summary(row) for row in rows]

    def get(self, agent: str, conversation_id: str) -> Conversation | None:
        """The agent's conversation with its turns in order; None if there is no such conversation of the agent."""
        with Session(self.engine) as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None or row.agent != agent:
                return None
            turns = []
            for turn in session.scalars(
                select(TurnRow).where(TurnRow.conversation_id == conversation_id).order_by(TurnRow.position)
            ):
                try:
                    answer = answer_from_json(turn.answer)
                except ValidationError:
                    log.warning("conversation %s turn %d: unreadable answer, left out", row.id, turn.position)
                    continue
                turns.append(StoredTurn(turn.position, turn.question, answer, turn.feedback_id, turn.rating))
            return Conversation(_summary(row), tuple(turns))

    def _own(self, agent: str, conversation_id: str) -> ConversationSummary | None:
        with Session(self.engine) as session:
            row = session.get(ConversationRow, conversation_id)
            return _summary(row) if row is not None and row.agent == agent else None

    def _delete(self, agent: str, ids: list[str]) -> int:
        deleted = 0
        with Session(self.engine) as session, session.begin():
            for chunk in _chunks(ids):
                owned = list(session.scalars(
                    select(ConversationRow.id).where(ConversationRow.id.in_(chunk), ConversationRow.agent == agent)
                ))
                if owned:
                    session.execute(delete(TurnRow).where(TurnRow.conversation_id.in_(owned)))
                    session.execute(delete(ConversationRow).where(ConversationRow.id.in_(owned)))
                deleted += len(owned)
        return deleted


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    """Slices small enough for any database's limit on bound parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _sqlite_foreign_keys(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _shown(url: str) -> str:
    """The URL without its password, fit for a message or a log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)
