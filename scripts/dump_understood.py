"""Dump the understood Document of every report in some folders, to compare two versions of the
understanding rules byte for byte.

For a refactoring or speed change of ``understanding/`` whose behaviour must not change: dump
before the change, dump after, ``diff -r`` the two directories. Extraction (``ingest``) is not
what is compared, so each file's ``Extracted`` is cached (pickle, keyed by content and
extractor version) and only ``understanding.understand`` runs again. Each file also gets its
truth pages understood alone (``understand_text``) when a ``.truth.json`` sits next to it.

    python scripts/dump_understood.py OUT_DIR FOLDER [FOLDER ...] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SKIP = (".truth.json", ".layout.json")


def _extracted(path: Path, cache: Path) -> Any:
    from ingest.extract import EXTRACTOR_VERSION, extract_structured_bytes

    content = path.read_bytes()
    cached = cache / f"{hashlib.sha256(content).hexdigest()}-{EXTRACTOR_VERSION}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())  # our own cache file
    extracted = extract_structured_bytes(content)
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(extracted))
    return extracted


def dump(path: Path, out: Path, cache: Path) -> None:
    from ingest.extract import to_document
    from understanding.understand import understand, understand_text

    content = path.read_bytes()
    extracted = _extracted(path, cache)
    document = to_document(extracted, content, filename=path.name, understanding=False)
    understood = understand(extracted, document)
    (out / f"{path.name}.json").write_text(
        json.dumps(understood.to_json_dict(), sort_keys=True, indent=1, ensure_ascii=False),
        encoding="utf-8")
    truth = path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json")
    if truth.exists():
        pages = json.loads(truth.read_text(encoding="utf-8")).get("pages") or []
        (out / f"{path.name}.text-only.json").write_text(
            json.dumps(understand_text(pages), sort_keys=True, indent=1, ensure_ascii=False,
                       default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("folders", type=Path, nargs="+")
    ap.add_argument("--cache", type=Path, default=ROOT / "artifacts" / "dump-cache")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for folder in args.folders:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.endswith(SKIP) and not path.name.startswith("."):
                dump(path, args.out, args.cache)
                n += 1
    print(f"{n} documents dumped to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
