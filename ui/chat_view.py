"""Scripts of the Discussion tab that put things where the eye is: after an answer, the chat shows the start of
that answer (not the end of its sources); the comment box of a rated answer opens under that answer.

Gradio's own autoscroll jumps to the bottom of the chat after each message (app.py turns it off); these scripts run
in the page (Blocks `js`), on Gradio's DOM: `[data-testid="bot"]` / `[data-testid="user"]` messages, each in a
`.message-row`, in a scrolling panel."""

from __future__ import annotations

# Installed once at page load. A new answer (one more bot message), or one still being written, brings its
# question to the top of the chat panel, the answer's first line under it; once the answer is complete, the
# reader scrolls freely. A click on a thumb remembers which answer it rates, for FEEDBACK_UNDER_ANSWER_JS.
ANSWER_START_JS = """() => {
  if (window.arsAnswerStart) return [];
  window.arsAnswerStart = true;
  const scroller = (el) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const overflow = getComputedStyle(n).overflowY;
      if (overflow === "auto" || overflow === "scroll") return n;
    }
    return null;
  };
  let settled = -1;  // number of answers when the last one was complete and shown from its start
  const show = () => {
    const chat = document.getElementById("discussion");
    if (!chat) return;
    const answers = chat.querySelectorAll('[data-testid="bot"]');
    if (answers.length === 0) { settled = 0; return; }
    if (answers.length === settled) return;
    const answer = answers[answers.length - 1];
    const box = scroller(answer);
    if (!box) return;
    const questions = chat.querySelectorAll('[data-testid="user"]');
    const question = questions[questions.length - 1];
    // the question above its answer when it is short; a long one would push the answer out of view
    const top = question && question.getBoundingClientRect().height < box.clientHeight * 0.3 ? question : answer;
    box.scrollTop += top.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    if (!answer.querySelector(".attente, .curseur")) settled = answers.length;
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; show(); });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  document.addEventListener("click", (event) => {
    const thumb = event.target instanceof Element && event.target.closest("#discussion .message-buttons button");
    if (thumb) window.arsRatedAnswer = thumb.closest(".message-row");
  }, true);
  return [];
}"""

# After a rating: the comment box (Gradio draws it when shown, below the chat) is moved under the rated answer.
# Gradio removes it when it is hidden again, wherever it is; it draws it afresh at its place the next time.
FEEDBACK_UNDER_ANSWER_JS = """async () => {
  const row = window.arsRatedAnswer;
  for (let i = 0; i < 40; i++) {
    const panel = document.getElementById("retour");
    if (panel && row && row.isConnected) {
      row.after(panel);
      panel.classList.add("sous-reponse");
      panel.scrollIntoView({ block: "nearest" });
      return [];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}"""
