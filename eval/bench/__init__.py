"""The benchmark behind `ars-assistant bench`: ingest throughput, query latency, cold start and memory.

One run, reproducible (seeded synthetic corpus), reported as JSON and as a Markdown table:

- ingest: a synthetic corpus rendered to PDF from the sample documents (eval/synthetic.py) goes
  through the real pipeline; pages/s and chunks/s, seconds per stage (parse, chunk, embed, write),
  and the ratio of the whole ingest to the raw encoder alone on the same chunks (the limit of
  this machine: the encoder is the slowest step by far).
- query: the index grown to each size (1k, 10k, 100k chunks by default) with the really ingested
  documents, then varied copies of them whose vectors are the real ones slightly moved (so the
  encoder is not paid again) but whose texts are real French passages held by BM25 and Chroma;
  retrieval and end-to-end answer latency (p50/p95) over eval/questions.jsonl, warm, for the
  embedded store and a Chroma server (`chroma run`, started on a free port and stopped by PID).
- cold start: launching `ars-assistant ask` until its answer, `ars-assistant ui` until its page
  is served, `--help` and `status`, at each size.
- memory: peak RSS of the ingest and of a serving process at each size; index size on disk.

Every measured part runs in its own process (`python -m eval.bench worker ...`), so that peak RSS
and cold starts are those of that part alone. No timing is asserted anywhere: the figures are for
people to read, with the machine they were measured on.
"""

from eval.bench.options import BenchOptions
from eval.bench.report import percentiles
from eval.bench.run import run_benchmark

__all__ = ["BenchOptions", "percentiles", "run_benchmark"]
