// The document viewer (ui/viewer.py): a PDF page drawn by pdf.js with its text layer, the cited passage in
// <mark class="surlignage"> elements; on a scanned page the marks are boxes read by OCR on the server.
// Text documents come already highlighted by the server: the script only brings the passage into view.

const main = document.getElementById("document");

// -- passage matching: the same as ui/passage.py -------------------------------------------------------
const MIN_WORDS = 3;
const WORD = /[\p{L}\p{N}]+/gu;
const CUT = /(?<=\p{L})-\s+(?=[a-zà-ÿœæ])/gu;

function fold(word) {
  return word.replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
}

function words(text) {
  const joined = new Set(Array.from(text.matchAll(CUT), (m) => m.index));
  const found = [];
  for (const m of text.matchAll(WORD)) {
    const previous = found[found.length - 1];
    if (previous && joined.has(previous.end)) {
      previous.folded += fold(m[0]);
      previous.end = m.index + m[0].length;
    } else {
      found.push({ folded: fold(m[0]), start: m.index, end: m.index + m[0].length });
    }
  }
  return found;
}

function longestRun(page, passage) {
  let bestLength = 0, bestEnd = 0, bestPassageEnd = 0;
  let previous = new Array(passage.length + 1).fill(0);
  page.forEach((word, i) => {
    const current = new Array(passage.length + 1).fill(0);
    passage.forEach((other, j) => {
      if (word === other) {
        current[j + 1] = previous[j] + 1;
        if (current[j + 1] > bestLength) { bestLength = current[j + 1]; bestEnd = i + 1; bestPassageEnd = j + 1; }
      }
    });
    previous = current;
  });
  if (bestLength < Math.min(MIN_WORDS, passage.length)) return [0, 0, 0];
  return [bestEnd - bestLength, bestPassageEnd - bestLength, bestLength];
}

function find(text, passage) {
  const page = words(text), cited = words(passage);
  const [start, citedStart, length] = longestRun(page.map((w) => w.folded), cited.map((w) => w.folded));
  if (!length) return null;
  let begin = page[start].start, end = page[start + length - 1].end;
  // the passage's own punctuation around its words ("« ", ".") when the page has it too
  const head = citedStart === 0 ? passage.slice(0, cited[0].start).trimStart() : "";
  const tail = citedStart + length === cited.length ? passage.slice(cited[cited.length - 1].end).trimEnd() : "";
  if (head && text.slice(Math.max(begin - head.length, 0), begin) === head) begin -= head.length;
  if (tail && text.slice(end, end + tail.length) === tail) end += tail.length;
  return [begin, end];
}

// -- highlighting -----------------------------------------------------------------------------------------
function markText(layer, passage) {
  // the layer's text in reading order: its text nodes, a line break for each <br>
  const pieces = [];
  let text = "";
  const walker = document.createTreeWalker(layer, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      pieces.push({ node, start: text.length });
      text += node.data;
    } else if (node.nodeName === "BR") {
      text += "\n";
    }
  }
  const span = find(text, passage);
  if (!span) return [];
  const marks = [];
  for (const { node, start } of pieces) {
    const end = start + node.data.length;
    if (end <= span[0] || start >= span[1]) continue;
    let target = node;
    const from = Math.max(span[0] - start, 0), to = Math.min(span[1] - start, node.data.length);
    if (to < target.data.length) target.splitText(to);
    if (from > 0) target = target.splitText(from);
    const mark = document.createElement("mark");
    mark.className = "surlignage";
    target.replaceWith(mark);
    mark.append(target);
    marks.push(mark);
  }
  return marks;
}

function markBoxes(layer, boxes) {
  return boxes.map((box) => {
    const mark = document.createElement("mark");
    mark.className = "surlignage boite";
    mark.textContent = box.text;  // read by screen readers (and tests); drawn transparent over the scan
    Object.assign(mark.style, {
      left: `${box.x * 100}%`, top: `${box.y * 100}%`, width: `${box.width * 100}%`, height: `${box.height * 100}%`,
    });
    layer.append(mark);
    return mark;
  });
}

function say(text) {
  const status = document.getElementById("etat");
  if (status) status.textContent = text;
}

// -- the PDF viewer ---------------------------------------------------------------------------------------
async function showPdf() {
  const pdfjs = await import("./pdfjs/pdf.min.mjs");
  pdfjs.GlobalWorkerOptions.workerSrc = new URL("./pdfjs/pdf.worker.min.mjs", import.meta.url).href;
  const cited = Number(main.dataset.page) || 1;
  const passage = main.dataset.passage || "";
  let pdf;
  try {
    pdf = await pdfjs.getDocument({ url: main.dataset.fichier, isEvalSupported: false }).promise;
  } catch (error) {
    say("Le document ne peut pas être affiché ici : utilisez « Télécharger le fichier ».");
    throw error;
  }
  const total = pdf.numPages;
  let current = Math.min(Math.max(cited, 1), total);
  let rendering = null;
  const previous = document.getElementById("precedente");
  const next = document.getElementById("suivante");
  const container = document.getElementById("page-pdf");
  const canvas = container.querySelector("canvas");
  const textLayer = container.querySelector(".textLayer");
  const boxLayer = container.querySelector(".boites");
  // On a phone the page fitted to the width makes its text ~6 px high: the first drawing of the cited page measures
  // the highlight and, when it is smaller than READABLE_PX, the page is drawn again larger (then scrolled sideways
  // inside #document), so that the passage reads without pinching. Other pages keep that zoom.
  const READABLE_PX = 16, MAX_ZOOM = 4;  // MAX_ZOOM: times the width-fitted scale, for a passage in tiny print
  let zoom = 1, readable = 1, measured = false;
  const zoomButton = document.getElementById("zoom");
  const labelZoom = () => { zoomButton.textContent = zoom > 1 ? "Page entière" : "Agrandir"; };

  async function show(number) {
    main.dataset.pret = "non";
    try {
      await draw(number);
    } finally {
      main.dataset.pret = "oui";  // the page is drawn and the passage marked, or why not said (tests wait for it)
    }
  }

  async function draw(number) {
    const page = await pdf.getPage(number);
    const natural = page.getViewport({ scale: 1 });
    const scale = zoom * Math.min(main.clientWidth, 1100) / natural.width;  // zoom 1: the page fits the width
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    container.style.width = `${Math.floor(viewport.width)}px`;
    container.style.height = `${Math.floor(viewport.height)}px`;
    container.style.setProperty("--total-scale-factor", String(scale));
    rendering?.cancel();
    rendering = page.render({ canvas, viewport, transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0] });
    try {
      await rendering.promise;
    } catch (error) {
      if (error?.name === "RenderingCancelledException") return;
      throw error;
    }
    textLayer.replaceChildren();
    boxLayer.replaceChildren();
    const content = await page.getTextContent();
    await new pdfjs.TextLayer({ textContentSource: content, container: textLayer, viewport }).render();
    document.getElementById("numero").textContent = `Page ${number} / ${total}`;
    previous.disabled = number <= 1;
    next.disabled = number >= total;
    document.title = document.title.replace(/— page \d+ —/, `— page ${number} —`);
    const url = new URL(location.href);
    url.searchParams.set("page", String(number));
    history.replaceState(null, "", url);
    if (number !== cited || !passage) {
      say(number === cited ? "" : `Page ${number} ; le passage cité est en page ${cited}.`);
      return;
    }
    const scanned = !content.items.some((item) => item.str && item.str.trim());
    let marks;
    if (scanned) {
      say("Page numérisée : recherche du passage dans le scan…");
      const query = new URLSearchParams({ page: String(number), passage });
      let response = await fetch(`${main.dataset.boites}?${query}`, { credentials: "same-origin" });
      // 429: another page of this reader (or too many) is being read by OCR; the server says when to come back
      for (let tries = 0; response.status === 429 && tries < 3 && number === current; tries += 1) {
        say((await response.json()).message);
        const wait = Number(response.headers.get("Retry-After")) || 5;
        await new Promise((done) => setTimeout(done, wait * 1000));
        response = await fetch(`${main.dataset.boites}?${query}`, { credentials: "same-origin" });
      }
      const answer = await response.json();
      if (answer.message) { say(answer.message); return; }
      marks = markBoxes(boxLayer, answer.boites);
    } else {
      marks = markText(textLayer, passage);
    }
    if (!marks.length) {
      say("Passage introuvable sur cette page : il est peut-être sur la page suivante.");
      return;
    }
    if (!measured) {
      measured = true;
      const height = Math.min(...marks.map((mark) => mark.getBoundingClientRect().height).filter((h) => h > 0));
      if (height < READABLE_PX) {
        zoom = readable = Math.min(READABLE_PX / height, MAX_ZOOM);
        zoomButton.hidden = false;
        labelZoom();
        await draw(number);
        return;
      }
    }
    say(scanned ? "Passage surligné (texte reconnu par OCR, à vérifier sur le scan)." : "Passage surligné.");
    bringIntoView(marks);
  }

  function bringIntoView(marks) {
    marks[0].scrollIntoView({ block: "center" });
    // sideways, when the page is wider than the screen: the passage's lines centred, or their start if wider
    const frame = main.getBoundingClientRect();
    const boxes = marks.map((mark) => mark.getBoundingClientRect());
    const left = Math.min(...boxes.map((b) => b.left)), right = Math.max(...boxes.map((b) => b.right));
    const room = main.clientWidth;
    const offset = right - left <= room ? (left + right) / 2 - frame.left - room / 2 : left - frame.left - 8;
    main.scrollLeft += offset;
  }

  previous.addEventListener("click", () => { if (current > 1) show(--current); });
  next.addEventListener("click", () => { if (current < total) show(++current); });
  zoomButton.addEventListener("click", () => {
    zoom = zoom > 1 ? 1 : readable;
    labelZoom();
    show(current);
  });
  // redraw when the width changes (a phone turned), not when a phone's address bar hides on scrolling
  let resized = null, width = main.clientWidth;
  window.addEventListener("resize", () => {
    if (main.clientWidth === width) return;
    width = main.clientWidth;
    zoom = readable = 1;  // measured again on the cited page
    measured = false;
    zoomButton.hidden = true;
    clearTimeout(resized);
    resized = setTimeout(() => show(current), 250);
  });
  await show(current);
}

if (main?.classList.contains("visionneuse-pdf")) {
  showPdf();
} else if (main) {
  document.querySelector("mark.surlignage")?.scrollIntoView({ block: "center" });
  main.dataset.pret = "oui";
}
