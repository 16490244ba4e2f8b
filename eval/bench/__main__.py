"""`python -m eval.bench worker KIND ARGS.json OUT.json`: one measured part (run by the orchestrator)."""

from eval.bench.workers import main

raise SystemExit(main())
