"""The conversation store on a real PostgreSQL server shared by two "replicas" (ARS_DATABASE_URL): the same
behaviour as on SQLite, and answers saved at the same time from both replicas are all kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_conversations import ANSWER

from assistant.conversations import ConversationStore, open_conversations
from assistant.settings import Settings
from eval.process import free_port


def postgres_bin() -> Path:
    """The server's programs of the Debian package postgresql (its newest version if several)."""
    if "ARS_TEST_POSTGRES_BIN" in os.environ:
        return Path(os.environ["ARS_TEST_POSTGRES_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if
                      p.parent.name.isdigit() else 0)
    return versions[-1] if versions else Path("/usr/lib/postgresql/<version>/bin")


def as_postgres(*command: str) -> None:
    """A PostgreSQL tool run as the postgres user (initdb and the server refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server (Debian package postgresql) on a free port of 127.0.0.1, stopped by pg_ctl
    on its own data directory at the end."""
    bin_dir = postgres_bin()
    assert (bin_dir / "initdb").exists(), f"PostgreSQL absent ({bin_dir}) : installez-le avec `sudo make system-deps`."
    home = Path(tempfile.mkdtemp(prefix="ars-postgres-"))  # not under pytest's 0700 folder: postgres must enter
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    port = free_port()
    as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                "--locale=C", "--no-sync")
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", options, "-l", str(home / "log"))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def replicas(postgres_url: str, tmp_path: Path) -> Iterator[tuple[ConversationStore, ConversationStore]]:
    """Two stores on the server, as two replicas with their own data directories; emptied afterwards."""
    stores = tuple(open_conversations(Settings(data_dir=tmp_path / name, database_url=postgres_url))
                   for name in ("a", "b"))
    yield stores[0], stores[1]
    with create_engine(postgres_url).begin() as db:
        db.execute(text("DELETE FROM turns"))
        db.execute(text("DELETE FROM conversations"))


def test_replicas_share_each_agents_conversations_and_nobody_elses(replicas: tuple[ConversationStore, ...]):
    first, second = replicas
    maries, _ = first.append("marie", None, "combien pour le plan crack ?", ANSWER)
    same, position = second.append("marie", maries, "et pour les jeunes ?", ANSWER)
    assert (same, position) == (maries, 1)
    conversation = first.get("marie", maries)
    assert conversation is not None and conversation.turns[0].answer == ANSWER and len(conversation.turns) == 2
    second.append("paul", None, "question de Paul", ANSWER)
    assert [c.title for c in second.conversations("paul")] == ["question de Paul"]
    assert second.get("paul", maries) is None and not second.delete("paul", maries)
    assert second.rename("marie", maries, "Plan crack") and first.conversations("marie")[0].title == "Plan crack"
    assert first.delete_all("marie") == 1
    with create_engine(first.url).connect() as db:
        assert db.execute(text("SELECT agent FROM conversations")).all() == [("paul",)]
        assert db.execute(text("SELECT count(*) FROM turns")).scalar() == 1


def test_answers_saved_at_once_by_two_replicas_are_all_kept(replicas: tuple[ConversationStore, ...]):
    first, second = replicas
    conversation_id, _ = first.append("marie", None, "début", ANSWER)

    def ask(number: int) -> int:
        return (first, second)[number % 2].append("marie", conversation_id, f"question {number}", ANSWER)[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(ask, range(30))) == list(range(1, 31))


def test_retention_purges_old_conversations_on_the_server(replicas: tuple[ConversationStore, ...]):
    first, _ = replicas
    first.append("marie", None, "ancienne", ANSWER)
    assert first.purge(90, now=datetime.now(UTC) + timedelta(days=91)) == 1
    assert first.conversations("marie") == []
