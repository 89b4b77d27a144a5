"""Extraction benchmark: the engine against a pdfplumber-only extractor, side by side.

Text-layer PDFs from the sample generator (at least 2,000 pages, cached under the bench cache):
  * pages/s on one core for the full extraction (text, tables, cleaning, outline) and, on the
    same subset of files, for a pdfplumber-only extractor (text of every page, and text plus
    tables of every page): the ratio is the speed-up of the fast path;
  * extraction through worker processes, 1 vs 2 (speed-up);
  * OCR pages/s (a scanned report from the generator) and peak resident memory per worker.

    python -m bench extraction [--pages 2000] [--baseline-pages 300] [--ocr-pages 6]
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

from bench.common import CACHE, print_table

TARGET_PAGES_PER_S = 150
TARGET_RATIO = 20


def text_pdf_corpus(min_pages: int, seed: int = 17) -> list[tuple[Path, int]]:
    """Generated text-layer PDFs (single and two-column) totalling at least ``min_pages``."""
    import pypdfium2 as pdfium

    from samples.reports import generate_review

    folder = CACHE / f"extraction-pdfs-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    index = 0
    while True:
        files = sorted(folder.glob("*.pdf"))
        counted = [(f, len(pdfium.PdfDocument(f))) for f in files]
        if sum(n for _, n in counted) >= min_pages:
            return counted
        for _ in range(10):
            generate_review(folder, seed=seed, index=index + len(files),
                            formats=("pdf", "two_column_pdf"))
            index += 1


def scanned_pdf(pages: int) -> bytes:
    """The first ``pages`` pages of a generated report as a scanned (image-only) PDF."""
    import pypdfium2 as pdfium

    from samples.reports import generate_review
    from samples.reports.render_scanned import render_scanned

    path = CACHE / f"extraction-scanned-{pages}.pdf"
    if path.exists():
        return path.read_bytes()
    tmp = CACHE / "extraction-scan-src"
    files = generate_review(tmp, seed=23, index=0, formats=("pdf",))
    report = next(f for f in files if f.doc_type == "overview_report")
    src = pdfium.PdfDocument(report.path.read_bytes())
    excerpt = pdfium.PdfDocument.new()
    excerpt.import_pages(src, list(range(min(pages, len(src)))))
    buf = io.BytesIO()
    excerpt.save(buf)
    data = render_scanned(buf.getvalue(), title="Synthetic sample (scanned)", seed="bench")
    path.write_bytes(data)
    return data


def run_engine(files: list[tuple[Path, int]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for full extraction of ``files`` in this process."""
    from ingest.extract import extract_structured

    wall, cpu = time.perf_counter(), time.process_time()
    for path, _ in files:
        extract_structured(path)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_pdfplumber(files: list[tuple[Path, int]], *, tables: bool) -> tuple[float, float]:
    import pdfplumber

    wall, cpu = time.perf_counter(), time.process_time()
    for path, _ in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                if tables:
                    page.extract_tables()
                page.close()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_workers(files: list[tuple[Path, int]], processes: int) -> tuple[float, int]:
    """(wall seconds, peak RSS KB of a worker) through ``processes`` isolated workers."""
    from ingest.worker import WorkerPool

    with WorkerPool(processes=processes, timeout=300) as pool:
        list(pool.map([files[0][0]]))  # start-up is not throughput
        wall = time.perf_counter()
        outcomes = list(pool.map([p for p, _ in files]))
        elapsed = time.perf_counter() - wall
        peak = pool.peak_rss_kb
    bad = [o for _, o in outcomes if not hasattr(o, "pages")]
    if bad:
        raise RuntimeError(f"{len(bad)} files failed in workers: {bad[:3]}")
    return elapsed, peak


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_control(processes: int) -> float:
    """Seconds for a fixed pure-CPU job split over ``processes``: the machine's real parallelism."""
    import multiprocessing

    with multiprocessing.get_context("forkserver").Pool(processes) as pool:
        pool.map(_burn, [2_000_000] * 2)  # start-up
        wall = time.perf_counter()
        pool.map(_burn, [6_000_000] * 4)
        return time.perf_counter() - wall


def subset(files: list[tuple[Path, int]], pages: int) -> list[tuple[Path, int]]:
    """Every k-th file, about ``pages`` pages in all (same mix of layouts)."""
    total = sum(n for _, n in files)
    step = max(1, round(total / max(pages, 1)))
    return files[::step]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=int(os.environ.get("BENCH_PDF_PAGES", "2000")))
    parser.add_argument("--baseline-pages", type=int, default=300)
    parser.add_argument("--ocr-pages", type=int, default=6)
    args = parser.parse_args(argv)

    files = text_pdf_corpus(args.pages)
    pages = sum(n for _, n in files)
    print(f"corpus: {len(files)} generated text-layer PDFs, {pages} pages "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    run_engine(files[:3])  # warm imports and caches

    wall, cpu = run_engine(files)
    sample = subset(files, args.baseline_pages)
    sample_pages = sum(n for _, n in sample)
    e_wall, e_cpu = run_engine(sample)
    t_wall, t_cpu = run_pdfplumber(sample, tables=False)
    tt_wall, tt_cpu = run_pdfplumber(sample, tables=True)
    rows = [
        ["engine: full extraction", pages, pages / wall, pages / cpu, "", ""],
        ["engine: baseline subset", sample_pages, sample_pages / e_wall, sample_pages / e_cpu,
         "1.0x", "1.0x"],
        ["pdfplumber: text", sample_pages, sample_pages / t_wall, sample_pages / t_cpu,
         f"{t_wall / e_wall:.1f}x", f"{t_cpu / e_cpu:.1f}x"],
        ["pdfplumber: text + tables", sample_pages, sample_pages / tt_wall, sample_pages / tt_cpu,
         f"{tt_wall / e_wall:.1f}x", f"{tt_cpu / e_cpu:.1f}x"],
    ]
    print_table("extraction, one core (text-layer PDFs)",
                ["extractor", "pages", "pages/s wall", "pages/s CPU", "engine speed-up (wall)",
                 "engine speed-up (CPU)"], rows)
    print(f"targets: >= {TARGET_PAGES_PER_S} pages/s -> "
          f"{'met' if pages / cpu >= TARGET_PAGES_PER_S else 'NOT met'}"
          f" (CPU); >= {TARGET_RATIO}x pdfplumber text -> "
          f"{'met' if t_cpu / e_cpu >= TARGET_RATIO else 'NOT met'} (CPU)")

    # The machine is shared: alternate the runs and keep the best of each, over ~1,000 pages.
    half = files[: len(files) // 2]
    half_pages = sum(n for _, n in half)
    runs: dict[int, list[tuple[float, int]]] = {1: [], 2: []}
    for _ in range(2):
        for processes in (1, 2):
            runs[processes].append(run_workers(half, processes))
    (one, peak1), (two, peak2) = min(runs[1]), min(runs[2])
    burn1, burn2 = cpu_control(1), cpu_control(2)
    print_table("isolated workers (extraction + understanding.understand, Document built; best of "
                "2)",
                ["processes", "pages", "seconds", "pages/s", "speed-up", "peak RSS per worker MB"],
                [[1, half_pages, one, half_pages / one, "1.0x", peak1 / 1024],
                 [2, half_pages, two, half_pages / two, f"{one / two:.2f}x", peak2 / 1024]])
    print(f"control: a pure-Python CPU loop in 1 vs 2 processes on this machine now: "
          f"{burn1 / burn2:.2f}x (what 2 processes can gain here at best)")

    from ingest.extract import extract_structured_bytes
    from ingest.worker import WorkerPool

    data = scanned_pdf(args.ocr_pages)
    wall = time.perf_counter()
    doc = extract_structured_bytes(data)
    ocr_wall = time.perf_counter() - wall
    scan_path = CACHE / f"extraction-scanned-{args.ocr_pages}.pdf"
    with WorkerPool(processes=1, timeout=600) as pool:
        pool.run(scan_path)
        ocr_peak = pool.peak_rss_kb
    print_table("OCR (Tesseract, 300 dpi, one core)",
                ["pages", "OCR pages", "seconds", "pages/s", "peak RSS worker or Tesseract MB"],
                [[doc.page_count, len(doc.ocr_pages), ocr_wall, doc.page_count / ocr_wall,
                  ocr_peak / 1024]])
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall-clock figures share the machine; CPU figures are this process's own time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
