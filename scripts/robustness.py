"""Run the extraction engine over every file in a folder, each in an isolated worker, and count
outcomes: extracted, or quarantined with a reason. ``make robustness CORPUS=DIR`` calls this.

Exit status 0 when every file was accounted for without a crash (a worker dying or an
unexpected extractor error) or a hang (a timeout); 1 otherwise.

    python scripts/robustness.py ../shared/data/robustness [--verbose] [--processes 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from ingest.errors import Quarantined
from ingest.extract import extract_many


def is_crash(outcome: Quarantined) -> bool:
    return outcome.message.startswith(("extractor error", "extractor process died"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per file")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file")
    parser.add_argument("--memory-mb", type=int, default=2048)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"robustness: not a folder: {args.corpus}", file=sys.stderr)
        return 2
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file())
    counts: Counter[tuple[str, str]] = Counter()
    crashes = hangs = 0
    started = time.monotonic()
    for path, outcome in extract_many(files, processes=args.processes, timeout=args.timeout,
                                      memory_mb=args.memory_mb):
        rel = path.relative_to(args.corpus)
        if isinstance(outcome, Quarantined):
            crash = is_crash(outcome)
            crashes += crash
            hangs += outcome.reason == "timeout"
            counts[("quarantined", outcome.reason + (" (crash)" if crash else ""))] += 1
            line = f"quarantined  {outcome.reason:<11} {rel}: {outcome.message}"
        else:
            counts[("extracted", outcome.format)] += 1
            ocr = f", {len(outcome.ocr_pages)} OCR" if outcome.ocr_pages else ""
            line = f"extracted    {outcome.format:<11} {rel}: {outcome.page_count} pages{ocr}"
        if args.verbose:
            print(line, flush=True)
    elapsed = time.monotonic() - started
    print(f"\n{'outcome':<12} {'reason/format':<22} {'files':>5}")
    print(f"{'-' * 12} {'-' * 22} {'-' * 5}")
    for (outcome, detail), n in sorted(counts.items()):
        print(f"{outcome:<12} {detail:<22} {n:>5}")
    print(f"{'-' * 12} {'-' * 22} {'-' * 5}")
    print(f"{'total':<12} {'':<22} {sum(counts.values()):>5}")
    print(f"\nfiles {len(files)}, crashes {crashes}, hangs {hangs}, {elapsed:.1f}s "
          f"with {args.processes} processes")
    return 0 if crashes == 0 and hangs == 0 and sum(counts.values()) == len(files) else 1


if __name__ == "__main__":
    sys.exit(main())
