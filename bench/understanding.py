"""Understanding benchmark: extraction alone vs extraction + report understanding, side by side.

On the same generated text-layer PDFs as ``bench extraction`` (single and two-column layouts),
each file is extracted (``ingest.extract.extract_structured_bytes`` plus the plain contract
``Document``) and then understood (``understanding.understand.understand``: doc type, review
metadata, agencies, themes, recommendations), timed apart on one core. Every file is measured in
several alternating rounds and the best time per file and stage is kept, so a busy shared machine
inflates neither side. Prints pages/s of both and the ratio against the target (issue 4: the
whole extraction with understanding within 1.5x of extraction alone).

    python -m bench understanding [--pages 600] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import print_table
from bench.extraction import subset, text_pdf_corpus

TARGET_RATIO = 1.5


def measure(files: list, rounds: int) -> tuple[list[float], list[float], int]:
    """(best extraction CPU seconds per file, best understanding CPU seconds per file, pages)."""
    from ingest.extract import extract_structured_bytes, to_document
    from understanding.understand import understand

    contents = [path.read_bytes() for path, _ in files]
    best_x = [float("inf")] * len(files)
    best_u = [float("inf")] * len(files)
    pages = 0
    for _r in range(rounds):
        pages = 0
        for i, content in enumerate(contents):
            t0 = time.process_time()
            extracted = extract_structured_bytes(content)
            document = to_document(extracted, content, filename=files[i][0].name,
                                   understanding=False)
            t1 = time.process_time()
            understood = understand(extracted, document)
            t2 = time.process_time()
            if "understanding_error" in understood.provenance:
                raise RuntimeError(f"{files[i][0].name}: "
                                   f"{understood.provenance['understanding_error']}")
            best_x[i] = min(best_x[i], t1 - t0)
            best_u[i] = min(best_u[i], t2 - t1)
            pages += extracted.page_count
    return best_x, best_u, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int,
                        default=int(os.environ.get("BENCH_UNDERSTANDING_PAGES", "600")))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    files = subset(text_pdf_corpus(args.pages), args.pages)
    print(f"corpus: {len(files)} generated text-layer PDFs, {sum(n for _, n in files)} pages, "
          f"{args.rounds} rounds (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
          flush=True)
    measure(files[:2], 1)  # warm imports, rule files and caches
    wall = time.perf_counter()
    xs, us, pages = measure(files, args.rounds)
    x, u = sum(xs), sum(us)
    ratio = (x + u) / x
    print_table("extraction with and without understanding, one core (best of rounds, CPU time)",
                ["stage", "pages", "seconds", "pages/s", "time vs extraction alone"],
                [["extraction alone", pages, x, pages / x, "1.00x"],
                 ["understanding alone", pages, u, pages / u, f"{u / x:.2f}x"],
                 ["extraction + understanding", pages, x + u, pages / (x + u), f"{ratio:.2f}x"]])
    print(f"target: extraction + understanding within {TARGET_RATIO}x of extraction alone -> "
          f"{ratio:.2f}x, {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    worst = sorted(zip(us, files, strict=False), key=lambda p: -p[0] / max(p[1][1], 1))[:3]
    print("slowest to understand per page: " + ", ".join(
        f"{f.name} ({n} pages, {1000 * t / n:.1f} ms/page)" for t, (f, n) in worst))
    print(f"(measured in {time.perf_counter() - wall:.0f} s wall)")
    return 0 if ratio <= TARGET_RATIO else 1
