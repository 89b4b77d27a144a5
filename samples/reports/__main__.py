"""Command line:
``python -m samples.reports OUT_DIR --seed N --reviews N --split train|heldout|dev``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .corpus import ALL_FORMATS, OPTIONAL_FORMATS, generate_corpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.reports",
                                 description="Write synthetic DHR reports with ground truth.")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reviews", type=int, default=20)
    ap.add_argument("--split", choices=("train", "heldout", "dev"), default="train")
    ap.add_argument("--formats", default=",".join(ALL_FORMATS),
                    help=f"comma-separated subset of {','.join(ALL_FORMATS + OPTIONAL_FORMATS)} "
                         "(doc, rtf: legacy Word and RTF via LibreOffice, skipped when it is "
                         "missing)")
    ap.add_argument("--text-only", action="store_true", help="plain .txt files (fast)")
    a = ap.parse_args(argv)
    formats = tuple(f for f in a.formats.split(",") if f)
    if set(formats) & set(OPTIONAL_FORMATS) and not a.text_only:
        from .render_doc import doc_writer_missing
        missing = doc_writer_missing()
        if missing:
            print(f"warning: {missing}", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        files = generate_corpus(a.out_dir, seed=a.seed, n_reviews=a.reviews, split=a.split,
                                formats=formats, text_only=a.text_only)
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} files for {a.reviews} reviews to {a.out_dir} "
          f"in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
