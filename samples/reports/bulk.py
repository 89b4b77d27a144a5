"""Many Document dicts quickly, for indexing and search benchmarks (``generate_documents``).

Writing a report from the phrase banks costs a few milliseconds, too slow for 100,000-document
benchmarks. So this module writes a pool of real documents (the ``txt`` rendering of the normal
generator) and then derives the rest from them: each derived document takes a pool document and
gives it a new victim pseudonym, a new area (with its region) and a unique library reference line
on its first page, updating its truth to match. Text statistics, facets and Document shape stay
realistic; derived documents repeat pool prose, which is fine for index benchmarks but not for
extraction scoring (use ``generate_corpus`` for that).
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Iterator
from typing import Any

from . import banks
from .case import make_cases

POOL_SIZE = 150


def _safe(texts: list[str], token: str) -> bool:
    """True if every occurrence of ``token`` is a whole word, so str.replace cannot corrupt
    words."""
    joined = "\f".join(texts)
    i = joined.find(token)
    while i >= 0:
        before = joined[i - 1] if i else " "
        j = i + len(token)
        after = joined[j] if j < len(joined) else " "
        if before.isalnum() or after.isalnum():
            return False
        i = joined.find(token, j)
    return True


def _pool(seed: int, split: str, size: int) -> Iterator[tuple[dict[str, Any], str, str, str]]:
    """(document, victim text, victim sex, area) for ``size`` freshly written documents."""
    from .content import write_document
    from .corpus import _file_name, _render
    from .truth import build_document
    made = 0
    batch = 0
    while made < size:
        for case in make_cases(seed + batch * 7919, 200, split):
            for doc_type in case.doc_types:
                content = write_document(case, doc_type)
                data, pages, _ = _render(case, content, "txt", None)
                doc = build_document(case, content, pages, doc_id=hashlib.sha256(data).hexdigest(),
                                     filename=f"{_file_name(case, content, 'txt')}.txt", fmt="txt")
                yield doc, case.victim.text, case.victim.sex, case.area.name
                made += 1
                if made >= size:
                    return
        batch += 1


def _derive(base: dict[str, Any], old_v: str, old_area: str, new_v: tuple[str, str],
            new_area: banks.Area, ref: str) -> dict[str, Any]:
    text_v, truth_v = new_v

    def sub(s: str | None) -> str | None:
        return s.replace(old_v, text_v).replace(old_area, new_area.name) if s else s

    pages = [p.replace(old_v, text_v).replace(old_area, new_area.name) for p in base["pages"]]
    pages[0] = f"{pages[0]}\nLibrary reference: {ref}"
    doc = dict(base)
    doc["pages"] = pages
    doc["ocr_pages"], doc["provenance"] = list(base["ocr_pages"]), dict(base["provenance"])
    doc["title"] = sub(base["title"])
    doc["filename"] = f"{ref}.txt"
    review = copy.deepcopy(base["review"])
    review.update(pseudonym=truth_v, area=new_area.name, region=new_area.region)
    doc["review"] = review
    doc["agencies"] = [{**a, "name": sub(a["name"])} for a in base["agencies"]]
    doc["themes"] = [{**t, "evidence": [{**e, "text": sub(e["text"])} for e in t["evidence"]]}
                     for t in base["themes"]]
    doc["recommendations"] = [{**r, "text": sub(r["text"]), "agency_name": sub(r["agency_name"])}
                              for r in base["recommendations"]]
    doc["sections"] = [{**s, "title": sub(s["title"])} for s in base["sections"]]
    doc["id"] = hashlib.sha256(("\f".join(pages) + "\n").encode("utf-8")).hexdigest()
    return doc


def generate_documents(n: int, seed: int = 1, *, split: str = "train") -> Iterator[dict[str, Any]]:
    """Yield ``n`` Document JSON dicts (format ``txt``, pages included) with distinct ids.

    The first ``min(n, 150)`` are written from scratch; later ones are derived from them (new
    pseudonym, area and region, and a unique reference line), at thousands per second.
    ``id`` is the sha256 of the pages joined by form feeds, as if stored as a .txt file.
    """
    pool: list[tuple[dict[str, Any], str, str, str]] = []
    for item in _pool(seed, split, min(n, POOL_SIZE)):
        pool.append(item)
        yield item[0]
    if n <= len(pool):
        return
    var = banks.variants(split)
    usable = [p for p in pool if _safe(p[0]["pages"], p[1]) and _safe(p[0]["pages"], p[3])]
    areas = banks.areas()
    rng = random.Random(f"bulk:{seed}:{split}")
    names = {"female": var["female_first_names"], "male": var["male_first_names"]}
    letters = "ABCDEFGHJKLMNPRSTUVW"
    for k in range(len(pool), n):
        base, old_v, sex, old_area = usable[k % len(usable)]
        first = rng.choice(names[sex])
        if split == "heldout" and rng.random() < 0.5:
            new_v = (f"Adult {rng.choice(letters)}",) * 2
        else:
            new_v = (first, first)
        area = areas[rng.randrange(len(areas))]
        yield _derive(base, old_v, old_area, new_v, area, f"SYN-{seed}-{split}-{k:07d}")
