"""axe-core, the accessibility checker of the browser tests: run in the page, it returns the serious and critical
violations of WCAG rules (contrast, names, landmarks…). Installed from npm into tests/axe by `make install-dev`."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
REPORT = """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 4)
    .map((n) => `${n.target.join(" ")} [${(n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240)}]`)
    .join(" ; "))"""


def serious_violations(page: Page) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now shown, one line each."""
    assert AXE.is_file(), "axe-core absent : lancez `make install-dev` (npm ci --prefix tests/axe)."
    # evaluated, not added as a <script>: the viewer's Content-Security-Policy forbids inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return list(page.evaluate(REPORT))
