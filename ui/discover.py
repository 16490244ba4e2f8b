"""The Découvrir tab: the glossary, filtered as the user types, and one fiche per document, as HTML; its handlers.

Every page number links to the document opened at that page (the same links as the chat's citations);
each suggested question is a button the page script turns into a question asked in the chat.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.catalog import GlossaryEntry
from ingest.fiche import Fiche, KeyFigure
from lang.dates import french_date
from lang.plural import counted
from lang.words import fold
from ui.render import in_context, viewer_url
from ui.services import Services

PAGES_PER_DOCUMENT = 6  # pages listed in "Employé dans" for one document; the rest are counted
DOCUMENTS_PER_TERM = 3
SHORT_TITLE_CHARS = 48
FIGURE_CONTEXT_CHARS = 110  # of a key figure's sentence shown on each side of the figure
BASE_NOTE = "définition générale, non tirée des documents"
UNDEFINED_NOTE = "Défini nulle part dans les documents"

# js_on_load of the fiches: a click on a question button (or Enter/Space on it) asks it in the chat.
# Delegated to the container, which stays while its content is replaced on every refresh.
QUESTION_CLICK_JS = """
element.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-question]");
  if (button && element.contains(button)) trigger("click", { question: button.dataset.question });
});
"""


@dataclass(frozen=True, slots=True)
class FicheView:
    """What the fiche of one document shows besides the fiche itself."""

    fiche: Fiche
    chunks: int
    questions: tuple[str, ...] = ()
    superseded_by: Fiche | None = None  # the newer version, when this one has been replaced


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def filter_glossary(entries: Sequence[GlossaryEntry], query: str | None) -> list[GlossaryEntry]:
    """The entries whose acronym is the query, else those whose acronym and expansion hold every word of it."""
    words = fold(query or "").split()
    if not words:
        return list(entries)
    exact = [e for e in entries if fold(e.term) == " ".join(words)]
    if exact:
        return exact
    return [e for e in entries if all(w in fold(f"{e.term} {e.expansion}") for w in words)]


def short_title(title: str, limit: int = SHORT_TITLE_CHARS) -> str:
    """A long title cut at a word, for links repeated in a table (the full title goes in the tooltip)."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


def page_link(source: str, page: int, text: str, title: str = "", passage: str = "") -> str:
    """A link opening `source` at `page` in the viewer (`passage` highlighted) in a new tab; its accessible name
    says which document."""
    label = f"{title or source}, page {page}"
    return (
        f'<a href="{_attr(viewer_url(source, page, passage))}" target="_blank" rel="noopener" '
        f'title="{_attr(label)}">{_esc(text)}</a>'
    )


def _general(definition: str) -> str:
    """A definition of the base glossary, said to be general."""
    note = BASE_NOTE[0].upper() + BASE_NOTE[1:]
    return f'<p class="phrase">{_esc(definition)}</p><p class="origine generale">{note}</p>'


def _definition_cell(entry: GlossaryEntry, titles: Mapping[str, str]) -> str:
    """The sentence of the documents that defines the term; else « Défini nulle part dans les documents », with the
    general definition when there is one and the page where the documents spell the acronym out."""
    if entry.origin != "document" or not entry.source or not entry.page:
        return _general(entry.definition)
    title = titles.get(entry.source, entry.source)
    where = page_link(entry.source, entry.page, f"{short_title(title)}, p. {entry.page}", title, entry.definition)
    if entry.defines:
        return f'<p class="phrase">{_esc(entry.definition)}</p><p class="origine">Défini dans : {where}</p>'
    general = _general(entry.general) if entry.general else ""
    return (
        f'<p class="indefini">{UNDEFINED_NOTE}.</p>{general}'
        f'<p class="origine">Développé dans : {where}</p>'
    )


def _used_cell(entry: GlossaryEntry, titles: Mapping[str, str]) -> str:
    by_source: dict[str, list[int]] = {}
    for source, page in entry.occurrences:
        pages = by_source.setdefault(source, [])
        if page not in pages:
            pages.append(page)
    if not by_source:
        return '<span class="absent">Pas dans les documents indexés</span>'
    items = []
    for source, pages in list(by_source.items())[:DOCUMENTS_PER_TERM]:
        title = titles.get(source, source)
        links = ", ".join(page_link(source, p, f"p. {p}", title, entry.term) for p in pages[:PAGES_PER_DOCUMENT])
        more = f" (+{len(pages) - PAGES_PER_DOCUMENT})" if len(pages) > PAGES_PER_DOCUMENT else ""
        items.append(
            f'<li><span class="doc-court" title="{_attr(title)}">{_esc(short_title(title))}</span> : {links}{more}</li>'
        )
    others = len(by_source) - DOCUMENTS_PER_TERM
    if others > 0:
        items.append(f"<li>et {counted(others, 'autre document', 'autres documents')}</li>")
    return f'<ul class="emplois">{"".join(items)}</ul>'


def glossary_html(
    entries: Sequence[GlossaryEntry], query: str | None = None, titles: Mapping[str, str] | None = None
) -> str:
    """The glossary as an HTML table (sigle, développé, définition, employé dans) filtered by `query`."""
    titles = titles or {}
    shown = filter_glossary(entries, query)
    if not entries:
        return '<p class="vide">Le glossaire est vide.</p>'
    if not shown:
        return (
            f'<p class="vide" role="status">Aucun sigle ne correspond à « {_esc((query or "").strip())} ». '
            "Essayez un sigle (CTS) ou un mot de son développé (territorial).</p>"
        )
    count = (
        f"{counted(len(shown), 'sigle', 'sigles')} sur {len(entries)}" if len(shown) != len(entries)
        else counted(len(entries), "sigle", "sigles")
    )
    rows = "".join(
        f'<tr data-sigle="{_attr(e.term)}">'
        f'<th scope="row" data-label="Sigle" class="sigle">{_esc(e.term)}</th>'
        f'<td data-label="Développé" class="developpe">{_esc(e.expansion)}</td>'
        f'<td data-label="Définition">{_definition_cell(e, titles)}</td>'
        f'<td data-label="Employé dans">{_used_cell(e, titles)}</td>'
        "</tr>"
        for e in shown
    )
    return (
        f'<p class="compte">{count}</p>'
        '<table class="glossaire"><caption>Glossaire des sigles</caption><thead><tr>'
        '<th scope="col">Sigle</th><th scope="col">Développé</th><th scope="col">Définition</th>'
        f'<th scope="col">Employé dans</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def fiche_anchor(fiche: Fiche) -> str:
    return f"fiche-{fiche.doc_id[:16]}"


def _with_value_marked(figure: KeyFigure) -> str:
    """The figure's sentence, cut around the figure when long, with the figure highlighted."""
    if figure.value not in figure.sentence:
        return _esc(figure.sentence)
    before, value, after = in_context(figure.value, figure.sentence, FIGURE_CONTEXT_CHARS)
    return f"{_esc(before)}<mark>{_esc(value)}</mark>{_esc(after)}"


def _outline(fiche: Fiche) -> str:
    if not fiche.outline:
        return '<p class="vide">Pas de titres repérés dans ce document.</p>'
    depth = {level: min(rank, 2) for rank, level in enumerate(sorted({o.level for o in fiche.outline}))}
    items = "".join(
        f'<li class="niveau-{depth[o.level]}">'
        f"{page_link(fiche.source, o.page, o.heading, fiche.title, o.heading)}"
        f' <span class="page" aria-hidden="true">p. {o.page}</span></li>'
        for o in fiche.outline
    )
    return f'<ol class="plan">{items}</ol>'


def _unbroken_number(value: str) -> str:
    # "220 000 euros" may wrap before "euros", never inside "220 000"
    return re.sub(r"(?<=\d) (?=\d)", "\u00a0", value)


def _figures(fiche: Fiche) -> str:
    if not fiche.key_figures:
        return '<p class="vide">Pas de chiffre clé repéré.</p>'
    rows = "".join(
        "<tr>"
        f'<th scope="row" data-label="Chiffre" class="valeur">{_esc(_unbroken_number(k.value))}</th>'
        f'<td data-label="Phrase" class="phrase">{_with_value_marked(k)}</td>'
        f'<td data-label="Page" class="nombre">'
        f'{page_link(fiche.source, k.page, f"p. {k.page}", fiche.title, k.sentence)}</td>'
        "</tr>"
        for k in fiche.key_figures
    )
    return (
        '<table class="chiffres"><thead><tr><th scope="col">Chiffre</th><th scope="col">Dans le document</th>'
        f'<th scope="col" class="nombre">Page</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _questions(questions: Sequence[str]) -> str:
    if not questions:
        return '<p class="vide">Aucune question suggérée pour ce document.</p>'
    buttons = "".join(
        f'<li><button type="button" class="question" data-question="{_attr(q)}">{_esc(q)}</button></li>'
        for q in questions
    )
    return f'<ul class="questions">{buttons}</ul>'


def fiche_html(view: FicheView) -> str:
    """One document's fiche: title, kind, date, size, suggested questions, outline, key figures, bodies named."""
    fiche = view.fiche
    anchor = fiche_anchor(fiche)
    facts = [f'<span class="nature">{_esc(fiche.kind)}</span>'] if fiche.kind else []
    if fiche.date:
        facts.append(f'<time datetime="{_attr(fiche.date)}">{_esc(french_date(fiche.date))}</time>')
    facts += [counted(fiche.pages, "page", "pages"), counted(view.chunks, "passage", "passages")]
    facts.append(f'<span class="fichier">{_esc(fiche.source)}</span>')
    replaced = ""
    if view.superseded_by is not None:
        newer = view.superseded_by
        date = f" ({_esc(french_date(newer.date))})" if newer.date else ""
        replaced = (
            f'<p class="remplace">Remplacé par <a href="#{fiche_anchor(newer)}">{_esc(newer.title)}</a>{date}</p>'
        )
    entities = (
        '<section class="entites"><h4>Organisations et programmes cités</h4><ul class="etiquettes">'
        + "".join(f"<li>{_esc(e)}</li>" for e in fiche.entities)
        + "</ul></section>"
        if fiche.entities
        else ""
    )
    return (
        f'<article class="fiche{" ancienne" if view.superseded_by else ""}" id="{anchor}" '
        f'aria-labelledby="{anchor}-titre">'
        f'<header><h3 id="{anchor}-titre">{_esc(fiche.title)}</h3>'
        f'<p class="fiche-meta">{" · ".join(facts)} · '
        f'<a href="{_attr(viewer_url(fiche.source))}" target="_blank" rel="noopener">Ouvrir le document ↗</a></p>'
        f"{replaced}</header>"
        f'<section class="a-poser"><h4>Questions à poser</h4>{_questions(view.questions)}</section>'
        f'<div class="fiche-corps">'
        f'<section><h4>Plan</h4>{_outline(fiche)}</section>'
        f'<section><h4>Chiffres clés</h4>{_figures(fiche)}</section>'
        f"</div>{entities}</article>"
    )


def fiches_html(views: Sequence[FicheView]) -> str:
    """The fiches, current versions first, each document's own order kept otherwise."""
    if not views:
        return (
            '<p class="vide">Aucun document indexé : ajoutez des documents dans l\'onglet Documents, '
            "puis cliquez sur « Actualiser ».</p>"
        )
    ordered = sorted(views, key=lambda v: v.superseded_by is not None)
    return "".join(fiche_html(v) for v in ordered)


# -- the tab's handlers --------------------------------------------------------------------------

EXAMPLE_SLOTS = 6
EXAMPLES = (  # shown only when the corpus gives no suggested question (an empty index)
    "combien pour le plan crack ?",
    "c'est quoi un CRT ?",
    "qui a signé la charte ?",
    "date du 1er copil maison des femmes",
)


class DiscoverHandlers:
    """What comes from the corpus's Découvrir content: the glossary, the fiches, the suggested questions (also the
    chat's example buttons) and a suggested question clicked on its way to the chat."""

    def __init__(self, services: Services) -> None:
        self.s = services

    def examples(self) -> list[str]:
        """The chat's example questions: suggested questions of the corpus, the fixed list for an empty one."""
        if self.s.discovery is None:
            return list(EXAMPLES)
        found = self.s.discovery.examples(EXAMPLE_SLOTS)
        return found or list(EXAMPLES)

    def example_buttons(self) -> list[Any]:
        """Updates of the example buttons: one question each, the buttons left over hidden."""
        questions = self.examples()[:EXAMPLE_SLOTS]
        shown = [gr.update(value=q, visible=True) for q in questions]
        return shown + [gr.update(visible=False)] * (EXAMPLE_SLOTS - len(shown))

    def glossary(self, query: str | None) -> str:
        """The glossary table, filtered by what is typed in its search box."""
        discovery = self.s.discovery
        if discovery is None:
            return glossary_html([], query)
        entries = discovery.catalog.glossary()
        titles = {f.source: f.title for f in discovery.fiches()}
        return glossary_html(entries, query, titles)

    def fiches(self) -> str:
        """The fiche of every indexed document, with its checked suggested questions."""
        discovery = self.s.discovery
        if discovery is None:
            return fiches_html([])
        chunks = {d.source: d.chunks for d in self.s.library.documents()}
        views = [
            FicheView(
                fiche=f,
                chunks=chunks.get(f.source, 0),
                questions=discovery.suggested_questions(f),
                superseded_by=discovery.superseded_by(f),
            )
            for f in discovery.fiches()
        ]
        return fiches_html(views)

    def discover(self, query: str | None) -> tuple[Any, ...]:
        """The Découvrir tab (glossary, fiches) and the chat's example buttons, from the current index."""
        return (self.glossary(query), self.fiches(), *self.example_buttons())

    def reload_discover(self, query: str | None) -> tuple[Any, ...]:
        """The Découvrir tab again, after re-reading the index (another process may have ingested documents)."""
        if not self.s.library.reload():
            gr.Warning("Une ingestion est en cours : les fiches seront complètes quand elle sera terminée.")
        return self.discover(query)

    def open_question(self, event: gr.EventData) -> tuple[Any, ...]:
        """A suggested question clicked in Découvrir: the chat tab, and the question to ask there."""
        data = event._data if isinstance(event._data, dict) else {}
        question = str(data.get("question") or "").strip()
        if not question:
            return gr.update(), ""
        return gr.Tabs(selected="discussion"), question
