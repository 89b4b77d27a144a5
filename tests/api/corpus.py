"""The corpus the API tests search: generated report files with their ground-truth Documents.

Uses the project's sample generator (``samples.reports.generate_corpus``) when it is available;
until then a small deterministic stand-in below writes the same layout: ``<name>.txt`` (pages
separated by form feeds) beside ``<name>.truth.json`` (the Document JSON the file should give).
All text is synthetic; pseudonyms and events are invented.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from dhr.document import Document

UNIQUE_REC_PHRASE = "safety planning protocol for isolated rural farmsteads"


@dataclass(frozen=True)
class CorpusItem:
    doc: Document
    path: Path


def load_corpus(out_dir: Path, *, seed: int = 7, n_reviews: int = 12) -> list[CorpusItem]:
    """Generate the corpus into ``out_dir`` and return each file with its truth Document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        from samples.reports import generate_corpus  # type: ignore[attr-defined]
    except ImportError:
        generate_corpus = None
    if generate_corpus is not None:
        generate_corpus(out_dir, seed=seed, n_reviews=n_reviews)
    else:
        write_standin_corpus(out_dir, seed=seed, n_reviews=n_reviews)
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


# -- stand-in generator ---------------------------------------------------------------------------
AREAS = [("Preston", "North West"), ("Basildon", "East"), ("Leeds", "Yorkshire and Humber"),
         ("Cardiff", "Wales"), ("Croydon", "Greater London"), ("Plymouth", "South West"),
         ("Derby", "East Midlands"), ("Sunderland", "North East")]
PSEUDONYMS = ["Anna", "Beth", "Carys", "Dawn", "Elin", "Fay", "Gwen", "Hana", "Iris", "Joan",
              "Kira", "Lena", "Mair", "Nia", "Olga", "Pam"]
THEME_SENTENCES = {
    "risk_assessment": "The DASH risk assessment was not completed when the victim disclosed threats.",
    "information_sharing": "Information held by one agency was not shared with the others.",
    "mental_health": "The perpetrator had contact with mental health services in the months before.",
    "alcohol": "Alcohol misuse was recorded by several professionals but not explored.",
    "professional_curiosity": "Practitioners showed little professional curiosity about the injuries.",
    "housing": "The victim approached housing services twice about moving away.",
    "marac_mappa": "A referral to MARAC was discussed but never made.",
    "training_awareness": "Staff had not received training on coercive control.",
}
AGENCY_NAMES = {
    "police": "the Constabulary", "gp_primary_care": "the GP practice",
    "adult_social_care": "Adult Social Care", "housing": "the housing provider",
    "mental_health_services": "the mental health trust",
    "domestic_abuse_services": "the local domestic abuse service",
    "acute_hospital": "the hospital emergency department", "probation": "the Probation Service",
}
REC_TEMPLATES = [
    "{agency} to review how staff record disclosures of domestic abuse within six months.",
    "{agency} to deliver refresher training on risk assessment to all frontline staff by March.",
    "{agency} to audit referrals to MARAC and report the findings to the partnership board.",
    "{agency} to agree an information sharing protocol with partner agencies.",
]
REVIEW_TYPES = ["intimate_partner", "intimate_partner", "adult_family", "household_member"]
DEATH_TYPES = ["homicide", "homicide", "suicide", "homicide_suicide"]
ABUSE = ["coercive_control", "physical_abuse", "emotional_abuse", "economic_abuse", "stalking",
         "separation"]
AGE_BANDS = [(19, "16-19"), (23, "20-24"), (31, "25-34"), (40, "35-44"), (52, "45-54"),
             (60, "55-64"), (71, "65+")]


def write_standin_corpus(out_dir: Path, *, seed: int, n_reviews: int) -> None:
    rng = random.Random(seed)
    for i in range(n_reviews):
        area, region = AREAS[i % len(AREAS)]
        pseudonym = PSEUDONYMS[i % len(PSEUDONYMS)]
        year = 2014 + (i * 3) % 10
        month = 1 + (i * 5) % 12
        age, band = AGE_BANDS[i % len(AGE_BANDS)]
        themes = sorted(rng.sample(sorted(THEME_SENTENCES), 3))
        agencies = sorted(rng.sample(sorted(AGENCY_NAMES), 3))
        review = {
            "pseudonym": pseudonym, "area": area, "region": region,
            "date_of_death": f"{year}-{month:02d}" if i % 6 else str(year),
            "review_type": REVIEW_TYPES[i % len(REVIEW_TYPES)],
            "death_type": DEATH_TYPES[i % len(DEATH_TYPES)],
            "victim": {"age": age, "age_band": band, "sex": "male" if i % 5 == 4 else "female"},
            "abuse_types": sorted(rng.sample(ABUSE, 2)), "chair": {"name": None, "independent": True},
            "family_involved": bool(i % 2),
        }
        # Words only this review uses, so its documents are most like each other.
        marker = f"{['orchard', 'harbour', 'quarry', 'viaduct', 'lighthouse', 'mill'][i % 6]}"
        local = (f"{pseudonym} lived near the {marker} in {area} and worked at the {marker} "
                 f"cafe; neighbours at the {marker} saw arguments through the summer.")
        recs = []
        for n, agency in enumerate(agencies, start=1):
            text = REC_TEMPLATES[(i + n) % len(REC_TEMPLATES)].format(
                agency=AGENCY_NAMES[agency][0].upper() + AGENCY_NAMES[agency][1:])
            if i == 3 and n == 2:
                text = (f"{AGENCY_NAMES[agency][0].upper() + AGENCY_NAMES[agency][1:]} to write a "
                        f"{UNIQUE_REC_PHRASE} with the rural community network.")
            recs.append({"number": str(n), "text": text, "agency": agency,
                         "agency_name": AGENCY_NAMES[agency], "scope": "local", "page": 4,
                         "source": "list", "smart": {"specific": True, "measurable": n % 2 == 0,
                                                     "time_bound": "month" in text,
                                                     "score": 1 + (n % 2 == 0) + ("month" in text)}})
        for kind in ("overview_report", "executive_summary"):
            title = (f"Domestic Homicide Review: {'Overview Report' if kind == 'overview_report' else 'Executive Summary'}"
                     f" into the death of {pseudonym}")
            pages = [
                f"{title}\n{area} Community Safety Partnership\nSynthetic sample report for testing.",
                "Background. " + local + " " + " ".join(THEME_SENTENCES[t] for t in themes),
                "Analysis. " + " ".join(f"Contact with {AGENCY_NAMES[a]} is described here." for a in agencies)
                + (" Her sister said the home was 'a place of fear & silence' <as recorded>."
                   if i == 1 else "") + " " + local,
                "Recommendations. " + " ".join(f"{r['number']}. {r['text']}" for r in recs),
            ]
            content = "\f".join(pages).encode("utf-8")
            name = f"standin-{i:02d}-{kind}"
            doc = {
                "schema": "dhr.document/1", "id": hashlib.sha256(content).hexdigest(),
                "filename": f"DHR {pseudonym} {kind.replace('_', ' ').title()}.txt", "format": "txt",
                "extractor_version": "truth", "page_count": len(pages), "doc_type": kind,
                "title": title, "review": review,
                "agencies": [{"id": a, "name": AGENCY_NAMES[a], "mentions": 2} for a in agencies],
                "themes": [{"id": t, "mentions": 1, "evidence": [{"page": 2, "text": THEME_SENTENCES[t]}]}
                           for t in themes],
                "recommendations": recs if kind == "overview_report" else [],
                "sections": [{"title": "Recommendations", "number": "4", "page": 4}],
                "pages": pages, "review_key": f"standin-{i:02d}",
            }
            (out_dir / f"{name}.txt").write_bytes(content)
            (out_dir / f"{name}.truth.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")


MARKUP_TEXT = ('Notes copied from a web page: <script>alert("x")</script> & <b>bold</b> claims '
               "about the tenancy warden's <i>late</i> visit, written in the warden's ledger.")


def write_markup_document(out_dir: Path) -> None:
    """An HTML file whose text carries markup: snippets must escape it, the file download must
    not let it run."""
    html = ("<!doctype html><html><head><title>Synthetic sample: web notes</title></head><body>"
            "<p>Synthetic sample page for testing.</p><p>Notes copied from a web page: "
            "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; claims about "
            "the tenancy warden's &lt;i&gt;late&lt;/i&gt; visit, written in the warden's ledger.</p>"
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
