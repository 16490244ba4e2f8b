"""The viewer's server side: a text document rendered with its passage highlighted and its HTML escaped, and the
routes (login, unknown documents, bad pages, the vendored pdf.js) answered over HTTP in process."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.factory import read_limits
from assistant.library import LibraryDocument
from assistant.settings import Settings
from ingest.models import Block
from ingest.ocr import OcrUnavailable
from ui.ocr_boxes import ScanReader, passage_boxes
from ui.render import viewer_url
from ui.text_view import passage_span, render
from ui.viewer import install_viewer

BLOCKS = [
    Block("heading", "Compte rendu du <COPIL> santé mentale", 1, 1),
    Block("paragraph", "La séance s'ouvre à 14 h.", 1, 0),
    Block("heading", "Financements", 2, 2),
    Block("item", "Maison des adolescents — Montant 2024 : 95 000 €", 2, 0),
    Block("paragraph", "L'équipe mobile a suivi 214 personnes en 2024. Le prochain COPIL aura lieu le 13 mars.", 2, 0),
]


def test_the_passage_is_highlighted_and_every_text_escaped():
    view = render(BLOCKS, 2, "l’équipe mobile a suivi 214 personnes en 2024.", 2)
    assert view.found and view.page_found == 2
    assert '<mark class="surlignage">L\'équipe mobile a suivi 214 personnes en 2024.</mark> Le prochain' in view.body
    assert "<h2>Compte rendu du &lt;COPIL&gt; santé mentale</h2>" in view.body  # the page's h1 is the title
    assert "<li>Maison des adolescents — Montant 2024 : 95 000 €</li>" in view.body
    assert "<COPIL>" not in view.body


def test_a_multi_page_document_is_shown_page_by_page():
    body = render(BLOCKS, 2, "", 1).body
    assert body.count('<section class="page-texte"') == 2
    assert '<h2 class="numero-page" id="titre-page-2">Page 2</h2><h3>Financements</h3><ul><li>' in body
    assert "<mark" not in body
    assert '<section class="page-texte"' not in render(BLOCKS[:2], 1, "", 1).body


def test_a_passage_across_two_blocks_is_highlighted_in_both():
    view = render(BLOCKS, 2, "Montant 2024 : 95 000 € L'équipe mobile a suivi", 2)
    assert view.body.count('<mark class="surlignage">') == 2
    assert '<li>Maison des adolescents — <mark class="surlignage">Montant 2024 : 95 000 €</mark></li>' in view.body


def test_the_passage_is_looked_for_on_its_page_first_then_in_the_whole_document():
    blocks = [Block("paragraph", "Le comité se réunit chaque trimestre à Alençon.", p, 0) for p in (1, 2)]
    start, _ = passage_span(blocks, "le comité se réunit chaque trimestre", 2) or (0, 0)
    assert start > len(blocks[0].text)
    view = render(BLOCKS, 2, "La séance s'ouvre à 14 h", 2)  # cited as page 2, found on page 1
    assert view.found and view.page_found == 1
    assert not render(BLOCKS, 2, "le centre de santé de Vire ouvre en septembre", 1).found


class Library:
    """The two methods the viewer uses, over files of a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def resolve(self, source: str) -> Path | None:
        path = self.folder / source
        return path if "/" not in source and path.is_file() else None

    def documents(self) -> list[LibraryDocument]:
        return [LibraryDocument("note.md", "Note <importante>", 1, 1, "", False)]

    def ocr_pages(self, source: str) -> frozenset[int]:
        return frozenset()  # rapport.pdf has a text layer: the ingest read no page of it by OCR


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    (tmp_path / "note.md").write_text("# Note <importante>\n\nLe centre de santé ouvre le 2 septembre 2024 "
                                      "à Vire.\n\n<script>alert(1)</script>\n", encoding="utf-8")
    (tmp_path / "rapport.pdf").write_bytes(b"%PDF-1.4\n")
    app = FastAPI()
    install_viewer(app, Library(tmp_path), lambda request: request.headers.get("x-session") != "aucune",
                   limits=read_limits(Settings(data_dir=tmp_path)))
    return TestClient(app)


def test_a_text_document_is_served_highlighted_and_escaped(client: TestClient):
    response = client.get(viewer_url("note.md", 1, "Le centre de santé ouvre le 2 septembre 2024"))
    assert response.status_code == 200
    page = response.text
    assert '<html lang="fr">' in page and "<title>Note &lt;importante&gt; — page 1 — ARS Assistant</title>" in page
    assert '<mark class="surlignage">Le centre de santé ouvre le 2 septembre 2024</mark> à Vire.' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert '<a class="telecharger" href="/documents/note.md" download>Télécharger le fichier</a>' in page
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_a_pdf_page_carries_its_passage_to_the_script(client: TestClient):
    page = client.get(viewer_url("rapport.pdf", 3, 'Un "passage" <cité>')).text
    assert 'data-page="3" data-passage="Un &quot;passage&quot; &lt;cité&gt;"' in page
    assert 'data-fichier="/documents/rapport.pdf"' in page
    assert '<script type="module" src="/visionneuse-fichiers/viewer.js"></script>' in page


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/visionneuse/inconnu.pdf?page=2", 404, "Document introuvable"),
        ("/visionneuse/rapport.pdf?page=0", 400, "Numéro de page invalide : « 0 »"),
        ("/visionneuse/rapport.pdf?page=-3", 400, "Donnez un nombre entier à partir de 1"),
        ("/visionneuse/..%2Fsecret.md", 404, "Document introuvable"),
        ("/visionneuse-fichiers/..%2Fviewer.py", 404, "Fichier introuvable"),
        ("/visionneuse-boites/note.md?page=1&passage=centre", 404, "Document introuvable"),
        ("/visionneuse-fichiers/..%00/x", 404, "Fichier introuvable"),  # was a 500 (resolve() on a NUL)
        ("/visionneuse-fichiers/viewer%01.js", 404, "Fichier introuvable"),
        ("/visionneuse/%00?page=1", 404, "Document introuvable"),
        ("/visionneuse-boites/rapport.pdf?page=1&passage=x", 422, "n'est pas numérisée"),  # no OCR of a text page
    ],
)
def test_a_wrong_address_gets_a_french_message(client: TestClient, path: str, status: int, message: str):
    response = client.get(path)
    assert response.status_code == status and message in response.text


def test_the_viewer_asks_for_the_same_login_as_the_interface(client: TestClient):
    response = client.get("/visionneuse/note.md?page=1", headers={"x-session": "aucune"})
    assert response.status_code == 401 and "Connexion requise" in response.text
    response = client.get("/visionneuse-boites/rapport.pdf?page=1", headers={"x-session": "aucune"})
    assert response.status_code == 401 and "Connexion requise" in response.json()["message"]


def test_the_vendored_pdfjs_is_served_as_javascript_with_its_licence(client: TestClient):
    response = client.get("/visionneuse-fichiers/pdfjs/pdf.min.mjs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert client.get("/visionneuse-fichiers/pdfjs/pdf.worker.min.mjs").status_code == 200
    assert ".textLayer" in client.get("/visionneuse-fichiers/pdfjs/text_layer.css").text
    licence = Path(__file__).resolve().parents[2] / "ui" / "static" / "pdfjs" / "LICENSE"
    assert "Apache License" in licence.read_text(encoding="utf-8")




def test_a_scanned_page_is_read_once_into_boxes_of_the_passage(formats_corpus: Path):
    scan = formats_corpus / "arrete-centre-sante-vire-scan.pdf"
    reader = ScanReader()
    words = reader.words(scan, 2)
    boxes = passage_boxes(words, "L'Agence régionale de santé accorde au centre de santé une aide au démarrage de "
                                 "85 000 euros, versée en deux tranches.")
    assert " ".join(b.text for b in boxes).endswith("85 000 euros, versée en deux tranches.")
    assert len(boxes) == 2  # the sentence runs over two lines of the scan
    assert all(0 < b.x < 1 and 0 < b.y < 1 and 0 < b.width <= 1 - b.x and 0 < b.height < 0.05 for b in boxes)
    assert boxes[0].y < boxes[1].y
    assert reader.words(scan, 2) is words  # kept: the page is not read again
    with pytest.raises(OcrUnavailable, match="le document n'a pas de page 3"):
        reader.words(scan, 3)
