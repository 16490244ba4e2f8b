"""Answers and documents as the chat shows them: HTML-escaped markdown, citations with their passage."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from assistant.library import LibraryDocument
from assistant.models import REFUSAL, Answer, Citation

DOCUMENTS_ROUTE = "/documents"
VIEWER_ROUTE = "/visionneuse"
MAX_PASSAGE_CHARS = 600  # of a cited passage carried in a link: enough to find it, short enough for any URL
CONTEXT_CHARS = 220  # of the passage shown on each side of the cited sentence
PENDING = '<span class="attente" role="status">Recherche dans les documents…</span>'


def document_url(source: str, page: int | None = None) -> str:
    """Link to a document's file served by the app (a PDF opened at a page by the browser's PDF viewer)."""
    url = f"{DOCUMENTS_ROUTE}/{quote(source, safe='')}"
    return f"{url}#page={page}" if page and source.lower().endswith(".pdf") else url


def viewer_url(source: str, page: int = 1, passage: str = "") -> str:
    """Link to the app's viewer: the document at `page`, the cited passage highlighted (ui/viewer.py)."""
    query = {"page": str(max(page, 1))}
    passage = " ".join(passage.split())
    if len(passage) > MAX_PASSAGE_CHARS:
        passage = passage[: MAX_PASSAGE_CHARS + 1].rsplit(" ", 1)[0]  # cut at a word: its start is found
    if passage:
        query["passage"] = passage
    return f"{VIEWER_ROUTE}/{quote(source, safe='')}?{urlencode(query, quote_via=quote)}"


def _esc(text: str) -> str:
    """Text shown inside an element (apostrophes stay as typed: they are everywhere in French)."""
    return html.escape(text, quote=False)


def literal(text: str) -> str:
    """Document text shown as is: HTML escaped, markdown's emphasis and link characters neutralised."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]#|~])", r"\\\1", escaped)


def _answer_text(text: str) -> str:
    # The answer's own layout is kept: "- " items and line breaks; "[n]" markers become references.
    lines = []
    for line in text.splitlines():
        item = line.startswith("- ")
        body = literal(line[2:] if item else line)
        body = re.sub(r"\\\[(\d{1,2})\\\]", r'<sup class="ref">[\1]</sup>', body)
        lines.append(f"- {body}" if item else body)
    return "\n".join(lines)


def in_context(excerpt: str, passage: str, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(before, excerpt, after): the cited sentence with some of its passage around it, cut at word ends."""
    start = passage.find(excerpt) if excerpt else -1
    if start < 0:
        return "", excerpt, ""
    before = passage[:start]
    after = passage[start + len(excerpt) :]
    if len(before) > width:
        before = "…" + before[-width:].split(" ", 1)[-1]
    if len(after) > width:
        after = after[:width].rsplit(" ", 1)[0] + "…"
    return before, excerpt, after


def citation_html(citation: Citation, passage: str = "") -> str:
    """One numbered source: title, page, section, the sentence highlighted in its passage, a link to it in the
    viewer."""
    before, sentence, after = in_context(citation.excerpt, passage)
    pages = (
        f"p. {citation.page}"
        if citation.page_end in (0, citation.page)
        else f"p. {citation.page}-{citation.page_end}"
    )
    section = f' · <span class="cit-section">{_esc(citation.section)}</span>' if citation.section else ""
    link = viewer_url(citation.source, citation.page, citation.excerpt)
    return (
        f'<div class="citation">'
        f'<p class="cit-tete"><span class="cit-n">[{citation.n}]</span> '
        f'<strong>{_esc(citation.title)}</strong> — {pages}{section}</p>'
        f'<blockquote class="cit-extrait">{_esc(before)}<mark>{_esc(sentence)}</mark>'
        f"{_esc(after)}</blockquote>"
        f'<p class="cit-pied"><a href="{html.escape(link)}" target="_blank" rel="noopener">'
        f"Voir le passage, page {citation.page} ↗</a> "
        f'<span class="cit-fichier">{_esc(citation.source)}</span></p>'
        f"</div>"
    )


def answer_markdown(answer: Answer, passages: Mapping[str, str] | None = None, pending: bool = False) -> str:
    """The chat message of an answer: text, then its sources; a refusal is set apart so nobody misreads it."""
    passages = passages or {}
    if answer.refused:
        text = answer.text
        head, rest = (REFUSAL, text[len(REFUSAL) :].strip()) if text.startswith(REFUSAL) else (text, "")
        body = f'<div class="refus" role="status"><p class="refus-tete">{_esc(head)}</p>'
        if rest:
            body += "".join(f"<p>{_esc(line)}</p>" for line in rest.splitlines() if line.strip())
        return body + "</div>"
    parts = [_answer_text(answer.text) + (" ▍" if pending else "")]
    if answer.citations and not pending:
        cited = "".join(citation_html(c, passages.get(c.chunk_id, "")) for c in answer.citations)
        parts.append(f'<div class="sources"><p class="sources-titre">Sources</p>{cited}</div>')
    if answer.notes and not pending:
        parts.append("".join(f'<p class="note">Note : {_esc(n)}</p>' for n in answer.notes))
    return "\n\n".join(parts)


def format_date(iso: str) -> str:
    """An ISO 8601 time as a French date and time, in Paris time when the time zone database is there."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    # ZoneInfoNotFoundError (a KeyError): no time zone database here, the time stays in UTC
    with contextlib.suppress(KeyError, ValueError):
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    return moment.strftime("%d/%m/%Y %H:%M")


def documents_table(documents: Sequence[LibraryDocument]) -> str:
    """The indexed documents as an HTML table (titles open them in the viewer); rows stack on a narrow screen."""
    if not documents:
        return '<p class="vide">Aucun document indexé pour l\'instant.</p>'
    rows = "".join(
        "<tr>"
        f'<td data-label="Titre"><a href="{html.escape(viewer_url(d.source))}" target="_blank" rel="noopener">'
        f"{_esc(d.title)}</a></td>"
        f'<td data-label="Fichier" class="fichier">{_esc(d.source)}</td>'
        f'<td data-label="Pages" class="nombre">{d.pages}</td>'
        f'<td data-label="Passages" class="nombre">{d.chunks}</td>'
        f'<td data-label="Ajouté le" class="date">{format_date(d.ingested_at)}</td>'
        "</tr>"
        for d in documents
    )
    return (
        '<table class="documents"><caption>Documents indexés</caption><thead><tr>'
        '<th scope="col">Titre</th><th scope="col">Fichier</th><th scope="col" class="nombre">Pages</th>'
        '<th scope="col" class="nombre">Passages</th><th scope="col">Ajouté le</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
