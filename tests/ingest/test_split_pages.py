"""A chunk that runs over a page break knows on which page each of its sentences is, and keeps it in the index."""

from __future__ import annotations

from ingest.models import Block, Chunk, Document
from ingest.split import chunk_document

OPENING = "Le centre de santé de Granville ouvrira le 6 janvier 2025 dans les locaux de l’ancienne maternité."
CARRIER = "L’association Santé Littoral porte le projet avec la commune."
GRANT = "Une subvention de 48 000 euros est accordée pour l’équipement de télémédecine du centre."
DOCTORS = "Trois médecins généralistes y exerceront à temps plein."


def doc(blocks: list[Block]) -> Document:
    return Document("abc", "note.pdf", "Note", "/tmp/note.pdf", max(b.page for b in blocks), tuple(blocks))


def two_pages() -> Document:
    return doc([
        Block("heading", "Centre de santé de Granville", 1),
        Block("paragraph", f"{OPENING} {CARRIER}", 1, 0),
        Block("paragraph", GRANT, 2, 0),
        Block("item", DOCTORS, 2, 0),
    ])


def test_a_chunk_over_two_pages_gives_each_sentence_its_own_page():
    [chunk] = chunk_document(two_pages())
    assert (chunk.page, chunk.page_end) == (1, 2)
    assert chunk.pages_of(OPENING) == (1, 1)
    assert chunk.pages_of(CARRIER) == (1, 1)
    assert chunk.pages_of(GRANT) == (2, 2)
    assert chunk.pages_of(DOCTORS) == (2, 2)
    assert chunk.pages_of(f"{CARRIER}\n{GRANT}") == (1, 2)  # an excerpt over the break spans both pages
    assert chunk.page_at(chunk.text.index("Centre de santé")) == 1  # the heading, on the chunk's first page


def test_a_paragraph_cut_by_the_page_break_starts_on_its_first_page():
    # "(attractivité" / "métier)": one paragraph over two pages, rejoined into one line of the chunk
    [chunk] = chunk_document(doc([
        Block("paragraph", "Le centre accueillera des internes en médecine générale et des", 1, 0),
        Block("paragraph", f"étudiants en soins infirmiers. {GRANT}", 2, 0),
    ]))
    sentence = "Le centre accueillera des internes en médecine générale et des étudiants en soins infirmiers."
    assert sentence in chunk.text
    assert chunk.pages_of(sentence) == (1, 2)
    assert chunk.pages_of(GRANT) == (2, 2)


def test_a_chunk_opened_by_the_overlap_keeps_the_page_of_the_repeated_sentences():
    filler = " ".join(f"La permanence numéro {n} est ouverte le lundi matin à Granville." for n in range(12))
    chunks = chunk_document(doc([
        Block("paragraph", f"{filler} {OPENING}", 1, 0),
        Block("paragraph", GRANT, 2, 0),
    ]), size=800, overlap=120)
    before, last = chunks[-2], chunks[-1]
    repeated = last.text.split(". ")[0] + "."
    assert repeated in before.text and repeated.startswith("La permanence")  # the overlap repeats page 1
    assert (last.page, last.page_end) == (1, 2)
    assert last.pages_of(repeated) == (1, 1) and last.pages_of(OPENING) == (1, 1)
    assert last.pages_of(GRANT) == (2, 2)


def test_a_heading_at_the_foot_of_page_one_counts_on_the_page_of_its_text():
    [chunk] = chunk_document(doc([Block("heading", "Financement", 1), Block("paragraph", GRANT, 2, 0)]))
    assert (chunk.page, chunk.page_starts) == (2, ())
    assert chunk.pages_of(GRANT) == (2, 2)


def test_page_starts_survive_the_flat_metadata_of_the_index():
    [chunk] = chunk_document(two_pages())
    meta = chunk.metadata()
    assert all(isinstance(value, str | int | bool) for value in meta.values())  # Chroma takes scalars only
    again = Chunk.from_metadata(chunk.text, meta)
    assert again == chunk
    assert again.pages_of(GRANT) == (2, 2)


def test_a_chunk_of_one_page_writes_an_empty_field():
    [chunk] = chunk_document(doc([Block("paragraph", OPENING, 3, 0)]))
    assert chunk.metadata()["page_starts"] == ""
    assert Chunk.from_metadata(chunk.text, chunk.metadata()).pages_of(OPENING) == (3, 3)


def test_an_index_written_before_page_starts_falls_back_to_the_chunk_pages():
    [chunk] = chunk_document(two_pages())
    old = {key: value for key, value in chunk.metadata().items() if key != "page_starts"}
    again = Chunk.from_metadata(chunk.text, old)
    assert again.page_starts == ()
    assert again.pages_of(GRANT) == (1, 2)  # unknown: the chunk's own pages, as cited before
    assert again.pages_of("absent du passage") == (1, 2)
