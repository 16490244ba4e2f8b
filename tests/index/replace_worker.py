"""Replace documents of an index on request, from another process (run as a script by test_index_reopen.py).

    python replace_worker.py DATA_DIR

Prints READY once the index is open; then for each line read on stdin writes a new version of the next
document of the corpus (its old chunks deleted) and prints DONE; stops at the end of stdin.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ars_corpus

from index.index import Index


def main() -> None:
    index = Index(Path(sys.argv[1]))
    sources = list(ars_corpus.DOCUMENTS)
    print("READY", flush=True)
    for turn, _ in enumerate(sys.stdin):
        source = sources[turn % len(sources)]
        index.add_document(*ars_corpus.document(source, edit=f"Version {turn} révisée de {source}."))
        print("DONE", flush=True)


if __name__ == "__main__":
    main()
