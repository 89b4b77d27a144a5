"""The corpus the API tests search: generated report files with their ground-truth Documents.

The project's sample generator (``samples.reports.generate_corpus``) writes each report file
beside ``<name>.truth.json`` (the Document JSON the file should give), plus one HTML file whose
text carries markup. All text is synthetic; pseudonyms and events are invented.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from dhr.document import Document
from samples.reports import generate_corpus


@dataclass(frozen=True)
class CorpusItem:
    doc: Document
    path: Path


def load_corpus(out_dir: Path, *, seed: int = 7, n_reviews: int = 12) -> list[CorpusItem]:
    """Generate the corpus into ``out_dir`` and return each file with its truth Document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    generate_corpus(out_dir, seed=seed, n_reviews=n_reviews)
    write_markup_document(out_dir)
    items = []
    for truth in sorted(out_dir.rglob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        files = [p for p in truth.parent.glob(stem + ".*") if not p.name.endswith(".json")]
        if len(files) != 1:
            continue
        doc = Document.model_validate(json.loads(truth.read_text(encoding="utf-8")))
        items.append(CorpusItem(doc, files[0]))
    return items


MARKUP_TEXT = ('Notes copied from a web page: <script>alert("x")</script> & <b>bold</b> claims '
               "about the tenancy warden's <i>late</i> visit, written in the warden's ledger.")


def write_markup_document(out_dir: Path) -> None:
    """An HTML file whose text carries markup: snippets must escape it, the file download must
    not let it run."""
    html = ("<!doctype html><html><head><title>Synthetic sample: web notes</title></head><body>"
            "<p>Synthetic sample page for testing.</p><p>Notes copied from a web page: "
            "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; claims about "
            "the tenancy warden's &lt;i&gt;late&lt;/i&gt; visit, written in the warden's "
            "ledger.</p>"
            "<script>document.title='ran'</script></body></html>")
    content = html.encode("utf-8")
    doc = {
        "schema": "dhr.document/1", "id": hashlib.sha256(content).hexdigest(),
        "filename": 'web notes "draft" <1>.html', "format": "html", "extractor_version": "truth",
        "page_count": 1, "doc_type": "other", "title": "Synthetic sample: web notes",
        "pages": ["Synthetic sample page for testing. " + MARKUP_TEXT],
    }
    (out_dir / "markup-notes.html").write_bytes(content)
    (out_dir / "markup-notes.truth.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
