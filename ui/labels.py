"""French, plain-text accessible names for the labels Gradio writes itself, in English, whatever the language.

Gradio's chatbot labels each message « bot's message: » followed by the message's HTML (the sources, every tag),
the conversation « chatbot conversation », the hidden tabs' button « More tabs »: these are literals of its
frontend, not translation keys, so gr.I18n cannot reach them. The page script below renames them as Gradio sets
them (a MutationObserver on the aria-label attribute), so that a screen reader hears « Réponse de l'assistant »
then the answer as displayed, not its markup.
"""

from __future__ import annotations

import json

ANSWER_LABEL = "Réponse de l'assistant"
QUESTION_LABEL = "Votre question"
# Gradio's English literal -> the page's French
LABELS = {
    "chatbot conversation": "Discussion avec l'assistant",
    "More tabs": "Autres onglets",
    "Loading response": "Réponse en cours de rédaction",
    "File upload": "Fichiers à téléverser",  # the hidden file input of the upload area
    # "": the label goes, and the element is named by its visible text (« Déposez vos fichiers ici ou Cliquez pour
    # téléverser des fichiers »), as a control whose name does not hold its text confuses voice control
    "Click to upload or drop files": "",
}
# messages: Gradio's label starts with the role, then the message's content
MESSAGE_PREFIXES = {"bot's message": ANSWER_LABEL, "user's message": QUESTION_LABEL}
TEXTS = {"Loading content": "Chargement…"}  # screen-reader-only text of the pending answer

LABELS_SCRIPT = """<script>
(() => {
  const LABELS = %(labels)s, PREFIXES = %(prefixes)s, TEXTS = %(texts)s;
  const french = (label) => {
    if (Object.prototype.hasOwnProperty.call(LABELS, label)) return LABELS[label];
    for (const [prefix, name] of Object.entries(PREFIXES)) if (label.startsWith(prefix)) return name;
    return null;
  };
  const fix = (element) => {
    const label = element.getAttribute("aria-label");
    const name = label === null ? null : french(label);
    if (name === null) return;
    if (name === "") { element.removeAttribute("aria-label"); return; }
    element.setAttribute("aria-label", name);
    // a named message: read as one article of the conversation, its displayed text as content
    if (Object.values(PREFIXES).includes(name)) element.setAttribute("role", "article");
  };
  const fixText = (element) => {
    const text = element.textContent;
    if (element.childElementCount === 0 && Object.prototype.hasOwnProperty.call(TEXTS, text)) {
      element.textContent = TEXTS[text];
    }
  };
  const sweep = (root) => {
    if (root.hasAttribute("aria-label")) fix(root);
    root.querySelectorAll("[aria-label]").forEach(fix);
    root.querySelectorAll(".sr-only").forEach(fixText);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") fix(record.target);
      else record.addedNodes.forEach((node) => { if (node.nodeType === Node.ELEMENT_NODE) sweep(node); });
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"],
  });
})();
</script>"""


def _js(value: object) -> str:
    """A JavaScript literal that cannot end the <script> it is written in."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def labels_script() -> str:
    """The script that renames Gradio's English labels, for the top of the page."""
    return LABELS_SCRIPT % {"labels": _js(LABELS), "prefixes": _js(MESSAGE_PREFIXES), "texts": _js(TEXTS)}
