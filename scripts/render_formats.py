"""Render the formats fixture corpus: a scanned PDF, a PDF with tables, an .odt and a saved web page.

Usage::

    python scripts/render_formats.py [--out eval/formats]

Writes, under ``--out``:

* ``arrete-centre-sante-vire-scan.pdf`` — a two-page order, printed then "scanned": each page is an
  image only (slightly skewed, noisy, JPEG), with no text layer, so it can only be read by OCR;
* ``dotations-prevention-2023.pdf`` — a report whose figures sit in tables (numbers right-aligned);
* ``copil-sante-mentale-orne-2024.odt`` — minutes with headings, a list, a page break and a table;
* ``actualite-campagne-grippe-2024.html`` — a news article inside a site's cookie banner, menus,
  breadcrumb, "à lire aussi" box and footer.

The same builders (``text_pdf``, ``scan_pdf``, ``odt``, ``web_page``) make the test documents of
tests/. Output is deterministic: fixed dates, a seeded noise, fixed zip timestamps (byte-identical
files for given versions of fpdf2, Pillow, pypdfium2 and odfpy).
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "eval" / "formats"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
CREATED = datetime(2024, 11, 28, 9, 0, tzinfo=UTC)

# The texts live beside this file; loaded by path so that the script runs from anywhere and the tests
# (which load this file by path too) get them.
_spec = importlib.util.spec_from_file_location("formats_texts", Path(__file__).with_name("formats_texts.py"))
assert _spec is not None and _spec.loader is not None
_texts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_texts)
Block = _texts.Block
SCAN_TITLE, SCAN_PAGES = _texts.SCAN_TITLE, _texts.SCAN_PAGES
TABLES_TITLE, TABLES_PAGES = _texts.TABLES_TITLE, _texts.TABLES_PAGES
ODT_TITLE, ODT_BLOCKS = _texts.ODT_TITLE, _texts.ODT_BLOCKS
HTML_TITLE, HTML_DATE, HTML_ARTICLE = _texts.HTML_TITLE, _texts.HTML_DATE, _texts.HTML_ARTICLE


def _pdf(title: str) -> FPDF:
    pdf = FPDF()
    pdf.set_creation_date(CREATED)
    pdf.set_title(title)
    pdf.set_author("ARS Normandie")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def text_pdf(pages: Sequence[Sequence[Block]], title: str, header: str | None = None) -> bytes:
    """A PDF with a text layer: headings, paragraphs, bullet items and tables (numbers right-aligned)."""
    pdf = _pdf(title)
    for page in pages:
        pdf.add_page()
        if header:
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, header, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        for style, content in page:
            if style == "table":
                _table(pdf, content)
            elif style in ("h1", "h2", "h3"):
                size = {"h1": 16, "h2": 13, "h3": 11}[style]
                pdf.set_font("DejaVu", "B", size)
                pdf.multi_cell(0, size * 0.5, content, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            else:
                pdf.set_font("DejaVu", "", 11)
                text = "• " + content if style == "li" else content
                pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5 if style == "li" else 4)
    return bytes(pdf.output())


def _table(pdf: FPDF, rows: Sequence[Sequence[str]]) -> None:
    pdf.set_font("DejaVu", "", 10)
    columns = len(rows[0])
    align = ["LEFT"] + ["RIGHT"] * (columns - 1)
    widths = [2] + [1.4] * (columns - 1)
    with pdf.table(col_widths=widths, text_align=align, line_height=6) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)


def scan_images(pdf: bytes, dpi: int = 200, skew: float = 0.4, speckle: float = 0.0003, seed: int = 0) -> list[Any]:
    """Pages of a PDF as a scanner would give them: greyish paper, slightly turned, a little blurred, specks of dust."""
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    document = pypdfium2.PdfDocument(pdf)
    images = []
    rng = np.random.default_rng(seed)
    for index in range(len(document)):
        image = document[index].render(scale=dpi / 72).to_pil().convert("L")
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        pixels = np.asarray(image, dtype=np.float32) * 0.92 + 8  # paper is never white, ink never black
        dust = rng.random(pixels.shape) < speckle
        pixels[dust] = rng.uniform(40, 160, int(dust.sum()))
        images.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L"))
    document.close()
    return images


def images_pdf(images: Sequence[Any], title: str, dpi: int = 200) -> bytes:
    """A PDF whose pages are the given images only (JPEG, as scanners write them): no text layer."""
    pdf = FPDF(unit="pt")
    pdf.set_creation_date(CREATED)
    pdf.set_title(title)
    for image in images:
        width, height = image.width * 72 / dpi, image.height * 72 / dpi
        pdf.add_page(format=(width, height))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=75)
        pdf.image(buffer, x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


def scan_pdf(pages: Sequence[Sequence[Block]], title: str, dpi: int = 200, seed: int = 0) -> bytes:
    """A printed-then-scanned document: image-only pages read back only by OCR."""
    return images_pdf(scan_images(text_pdf(pages, title), dpi=dpi, seed=seed), title, dpi=dpi)


def odt(blocks: Sequence[Block], title: str) -> bytes:
    """An OpenDocument text written with odfpy: outline headings, lists, tables, a page-break style."""
    from odf import dc
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style
    from odf.table import Table, TableColumn, TableRow
    from odf.table import TableCell as OdfCell
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    headings = {}
    for level in (1, 2, 3):
        style = Style(name=f"Heading {level}", family="paragraph")
        document.styles.addElement(style)
        headings[level] = style
    page_break = Style(name="SautDePage", family="paragraph", parentstylename="Standard")
    page_break.addElement(ParagraphProperties(breakbefore="page"))
    document.automaticstyles.addElement(page_break)
    pending_break = False
    items: Any = None
    for style, content in blocks:
        if style != "li":
            items = None
        if style == "break":
            pending_break = True
            continue
        if style in ("h1", "h2", "h3"):
            level = int(style[1])
            element = H(outlinelevel=level, stylename=headings[level], text=content)
            if pending_break:  # a heading after a page break: the break moves to an empty paragraph before it
                document.text.addElement(P(stylename=page_break, text=""))
        elif style == "li":
            if items is None:
                items = List()
                document.text.addElement(items)
            item = ListItem()
            item.addElement(P(text=content))
            items.addElement(item)
            continue
        elif style == "table":
            element = Table(name=f"Tableau{len(document.text.childNodes)}")
            element.addElement(TableColumn(numbercolumnsrepeated=len(content[0])))
            for cells in content:
                row = TableRow()
                for cell in cells:
                    odf_cell = OdfCell()
                    odf_cell.addElement(P(text=cell))
                    row.addElement(odf_cell)
                element.addElement(row)
        else:
            element = P(stylename=page_break, text=content) if pending_break else P(text=content)
        pending_break = False
        document.text.addElement(element)
    buffer = io.BytesIO()
    document.write(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps (odfpy stamps the current time), mimetype first and stored."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=CREATED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def web_page(title: str, date: str, article: Sequence[Block]) -> str:
    """A saved page of an agency web site: the article inside a cookie banner, menus, related links and footer."""
    body: list[str] = [f"<h1>{html.escape(title)}</h1>"]
    items: list[str] = []
    for style, content in [*article, ("end", None)]:
        if style != "li" and items:
            body.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if style == "li":
            items.append(f"<li>{html.escape(content)}</li>")
        elif style in ("h2", "h3"):
            body.append(f"<{style}>{html.escape(content)}</{style}>")
        elif style == "p":
            body.append(f"<p>{html.escape(content)}</p>")
        elif style == "table":
            head = "".join(f"<th>{html.escape(c)}</th>" for c in content[0])
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in content[1:])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    article_html = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} | Agence régionale de santé Normandie</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="Agence régionale de santé Normandie">
<meta property="article:published_time" content="{date}T09:00:00+02:00">
<link rel="stylesheet" href="style.css">
<style>.cookie-banner {{ position: fixed; bottom: 0; }}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag() {{ dataLayer.push(arguments); }}</script>
</head>
<body>
<div id="tarteaucitronRoot" class="cookie-banner" role="dialog" aria-label="Gestion des cookies">
<p>Ce site utilise des cookies de mesure d'audience. Les cookies sont conservés 13 mois au maximum.
Vous pouvez accepter ou refuser leur dépôt.</p>
<button>Tout accepter</button> <button>Tout refuser</button> <button>Personnaliser</button>
</div>
<header class="site-header">
<a class="logo" href="/">Agence régionale de santé Normandie</a>
<form class="search" action="/recherche"><input type="search" name="q" placeholder="Rechercher"></form>
<nav class="main-menu" aria-label="Menu principal"><ul>
<li><a href="/votre-sante">Votre santé</a></li>
<li><a href="/professionnels">Professionnels de santé</a></li>
<li><a href="/etablissements">Établissements et services</a></li>
<li><a href="/ars">Nous connaître</a></li>
<li><a href="/presse">Espace presse</a></li>
</ul></nav>
</header>
<nav class="breadcrumb" aria-label="Fil d'Ariane"><a href="/">Accueil</a> › <a href="/actualites">Actualités</a>
› Vaccination contre la grippe</nav>
<main id="main">
<article class="news">
{article_html}
<div class="share">Partager : <a href="#">Facebook</a> <a href="#">LinkedIn</a> <a href="#">Courriel</a></div>
</article>
<aside class="related">
<h2>À lire aussi</h2>
<ul>
<li><a href="/canicule">Canicule : adoptez les bons réflexes</a></li>
<li><a href="/depistage">Dépistage organisé du cancer du sein : 58 % de participation</a></li>
</ul>
</aside>
</main>
<footer class="site-footer">
<p>Agence régionale de santé Normandie — Espace Claude Monet, 2 place Jean Nouzille, 14050 Caen Cedex 4</p>
<ul>
<li><a href="/mentions-legales">Mentions légales</a></li>
<li><a href="/plan-du-site">Plan du site</a></li>
<li><a href="/accessibilite">Accessibilité : partiellement conforme</a></li>
<li><a href="/newsletter">Abonnez-vous à la lettre d'information</a></li>
</ul>
</footer>
</body>
</html>
"""


def render(out: Path) -> list[Path]:
    """Write the four documents of the formats corpus under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "arrete-centre-sante-vire-scan.pdf": scan_pdf(SCAN_PAGES, SCAN_TITLE),
        "dotations-prevention-2023.pdf": text_pdf(TABLES_PAGES, TABLES_TITLE, header="ARS Normandie — FIR 2023"),
        "copil-sante-mentale-orne-2024.odt": odt(ODT_BLOCKS, ODT_TITLE),
        "actualite-campagne-grippe-2024.html": web_page(HTML_TITLE, HTML_DATE, HTML_ARTICLE).encode("utf-8"),
    }
    written = []
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: eval/formats)")
    args = parser.parse_args(argv)
    for path in render(args.out):
        print(f"{path} ({path.stat().st_size} octets)")


if __name__ == "__main__":
    main()
