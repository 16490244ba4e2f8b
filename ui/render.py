"""Answers and documents as the chat shows them: escaped HTML, the answer first, its sources as compact cards."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from assistant.library import LibraryDocument
from assistant.models import REFUSAL, RELATED_HEADING, Answer, Citation, Closest

DOCUMENTS_ROUTE = "/documents"
VIEWER_ROUTE = "/visionneuse"
MAX_PASSAGE_CHARS = 600  # of a cited passage carried in a link: enough to find it, short enough for any URL
CONTEXT_CHARS = 220  # of the passage shown on each side of a sentence (Découvrir's key figures)
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


# a citation marker of the answer text, once HTML-escaped ("[1]")
REF_RE = re.compile(r"\[(\d{1,3})\]")
LEAD_SENTENCES = 2  # answer lines shown before « Suite de la réponse »: the fact and what frames it
TOOLTIP_CHARS = 280  # of the quote shown when pointing at a [n]
# the refusal's sentence naming the closest documents (assistant/answer.py), left out when their passages are shown
CLOSEST_DOCUMENTS = "Documents les plus proches"


def _pages(page: int, page_end: int) -> str:
    return f"p. {page}" if page_end in (0, page) else f"p. {page}-{page_end}"


def _ref(citation: Citation) -> str:
    """[n] as a link to the cited passage in the viewer, its quote shown when pointed at."""
    quote_text = " ".join(citation.excerpt.split())
    if len(quote_text) > TOOLTIP_CHARS:
        quote_text = quote_text[:TOOLTIP_CHARS].rsplit(" ", 1)[0] + "…"
    tip = f"{citation.title}, {_pages(citation.page, citation.page_end)} : « {quote_text} »"
    link = viewer_url(citation.source, citation.page, citation.excerpt)
    return (f'<a class="ref" href="{html.escape(link)}" target="_blank" rel="noopener" '
            f'title="{html.escape(tip)}">[{citation.n}]</a>')


def _blocks(lines: Sequence[str], refs: Mapping[int, str], tail: str = "") -> str:
    """Answer lines as paragraphs and lists ("- " items), each [n] a link to its source; `tail` (HTML) ends the
    last line."""
    out: list[str] = []
    items: list[str] = []
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)

    def shown(line: str, index: int) -> str:
        text = REF_RE.sub(lambda m: refs.get(int(m.group(1)), m.group(0)), _esc(line))
        return text + tail if index == last else text

    for index, line in enumerate(lines):
        if line.startswith("- "):
            items.append(f"<li>{shown(line[2:], index)}</li>")
            continue
        if items:
            out.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.strip():
            out.append(f"<p>{shown(line, index)}</p>")
    if items:
        out.append(f"<ul>{''.join(items)}</ul>")
    return "".join(out)


def _lead_and_more(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """The lines read first (up to LEAD_SENTENCES cited sentences, with the items of a list they introduce), and
    the rest of the answer."""
    cited = 0
    for index, line in enumerate(lines):
        if line.startswith("- ") or not REF_RE.search(line):
            continue
        cited += 1
        if cited > LEAD_SENTENCES:
            return list(lines[:index]), list(lines[index:])
    return list(lines), []


def _answer_html(answer: Answer, pending: bool) -> str:
    """The answer read in one glance: its fact first, the rest and the related amounts folded away."""
    refs = {c.n: _ref(c) for c in answer.citations} if not pending else {}
    lines = answer.text.splitlines()
    related: list[str] = []
    if RELATED_HEADING in lines:
        at = lines.index(RELATED_HEADING)
        lines, related = lines[:at], lines[at + 1 :]
    lead, more = _lead_and_more(lines)
    body = _blocks(lead, refs, '<span class="curseur" aria-hidden="true"> ▍</span>' if pending else "")
    if more:
        body += f'<details class="suite"><summary>Suite de la réponse</summary>{_blocks(more, refs)}</details>'
    if related:
        body += (f'<details class="montants"><summary>{_esc(RELATED_HEADING.rstrip(" :"))} ({len(related)})</summary>'
                 f"{_blocks(related, refs)}</details>")
    return f'<div class="reponse">{body}</div>'


def citation_html(citation: Citation) -> str:
    """One numbered source as a compact card: title · page, the cited sentence highlighted, a link to it in the
    viewer."""
    return (
        f'<div class="citation">'
        f'<p class="cit-tete"><span class="cit-n">[{citation.n}]</span> '
        f'<strong>{_esc(citation.title)}</strong> · {_pages(citation.page, citation.page_end)}</p>'
        f'<p class="cit-extrait"><mark>{_esc(citation.excerpt)}</mark></p>'
        f"{_passage_link(citation.source, citation.page, citation.excerpt)}</div>"
    )


def _passage_link(source: str, page: int, sentence: str) -> str:
    """A card's last line: the link that opens the viewer on the sentence, and the file's name."""
    link = viewer_url(source, page, sentence)
    return (f'<p class="cit-pied"><a href="{html.escape(link)}" target="_blank" rel="noopener">'
            f"Voir le passage, page {page} ↗</a> "
            f'<span class="cit-fichier">{_esc(source)}</span></p>')


def closest_html(closest: Closest) -> str:
    """A passage that came close to a refused question: document · page, its closest sentence, a link to it."""
    return (
        f'<div class="proche">'
        f'<p class="cit-tete"><strong>{_esc(closest.document)}</strong> · {_pages(closest.page, closest.page_end)}</p>'
        f'<p class="cit-extrait">« {_esc(closest.text)} »</p>'
        f"{_passage_link(closest.source, closest.page, closest.text)}</div>"
    )


def _refusal_html(answer: Answer) -> str:
    """A refusal set apart so nobody misreads it, then the closest passages, marked as not an answer."""
    text = answer.text
    head, rest = (REFUSAL, text[len(REFUSAL) :].strip()) if text.startswith(REFUSAL) else (text, "")
    lines = [line for line in rest.splitlines() if line.strip()]
    if answer.closest:  # the passages below name their documents
        lines = [line for line in lines if not line.startswith(CLOSEST_DOCUMENTS)]
    body = f'<div class="refus" role="status"><p class="refus-tete">{_esc(head)}</p>'
    body += "".join(f"<p>{_esc(line)}</p>" for line in lines) + "</div>"
    if answer.closest:
        body += (
            '<div class="proches"><p class="proches-titre">Ce n\'est pas une réponse : les passages les plus proches '
            "de votre question, à lire pour chercher plus loin</p>"
            + "".join(closest_html(c) for c in answer.closest) + "</div>"
        )
    return body


def answer_markdown(answer: Answer, pending: bool = False) -> str:
    """The chat message of an answer (HTML): the answer first, then its sources as cards; a refusal is set apart,
    with the passages that came closest."""
    if answer.refused:
        return _refusal_html(answer)
    parts = [_answer_html(answer, pending)]
    if answer.citations and not pending:
        cited = "".join(citation_html(c) for c in answer.citations)
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
