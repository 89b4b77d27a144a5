"""Specification of the synthetic report generator (samples.reports).

Real files are generated into a temporary folder and read back with the same libraries an
extractor uses (pdfium, python-docx); truth files must validate against the Document model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document as Docx

from dhr.document import Document
from dhr.taxonomy import AGE_BANDS, ids
from samples.reports import ALL_FORMATS, generate_corpus, generate_documents, generate_review
from samples.reports.__main__ import main as cli_main

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> list:
    """Two reviews in every format (5 documents: pdf, scanned, docx, two-column, html)."""
    out = tmp_path_factory.mktemp("small")
    return generate_corpus(out, seed=3, n_reviews=2)


@pytest.fixture(scope="module")
def train_truth(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("train")
    files = generate_corpus(out, seed=1, n_reviews=20, split="train", text_only=True)
    return [json.loads(f.truth_path.read_text()) for f in files]


@pytest.fixture(scope="module")
def dev_truth(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("dev")
    files = generate_corpus(out, seed=3, n_reviews=20, split="dev", text_only=True)
    return [json.loads(f.truth_path.read_text()) for f in files]


@pytest.fixture(scope="module")
def heldout_truth(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("heldout")
    files = generate_corpus(out, seed=1, n_reviews=20, split="heldout", text_only=True)
    return [json.loads(f.truth_path.read_text()) for f in files]


def test_same_seed_gives_byte_identical_files(small_corpus, tmp_path):
    again = generate_corpus(tmp_path, seed=3, n_reviews=2)
    assert [f.path.name for f in again] == [f.path.name for f in small_corpus]
    for a, b in zip(small_corpus, again, strict=False):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
        assert a.truth_path.read_bytes() == b.truth_path.read_bytes(), a.truth_path.name


def test_different_seeds_give_different_reviews(tmp_path):
    a = generate_corpus(tmp_path / "a", seed=1, n_reviews=1, formats=("html",))
    b = generate_corpus(tmp_path / "b", seed=2, n_reviews=1, formats=("html",))
    assert a[0].path.read_bytes() != b[0].path.read_bytes()


def test_small_corpus_uses_every_format(small_corpus):
    assert {f.format for f in small_corpus} == set(ALL_FORMATS)


def test_truth_is_a_valid_document_for_the_file(small_corpus):
    for f in small_corpus:
        truth = json.loads(f.truth_path.read_text())
        doc = Document.model_validate(truth)
        assert doc.id == hashlib.sha256(f.path.read_bytes()).hexdigest()
        assert doc.filename == f.path.name
        assert doc.page_count == len(doc.pages) >= 1
        assert doc.doc_type == f.doc_type
        assert "Synthetic sample" in doc.pages[0]
        assert (f.path.parent / f.path.name.replace(f.path.suffix, ".layout.json")).exists()


def test_pdf_pages_match_truth_and_furniture_is_outside_truth(small_corpus):
    for f in small_corpus:
        if f.format not in ("pdf", "two_column_pdf"):
            continue
        truth = json.loads(f.truth_path.read_text())
        layout = json.loads(f.path.with_suffix(".layout.json").read_text())
        pdf = pdfium.PdfDocument(f.path.read_bytes())
        assert len(pdf) == truth["page_count"]
        assert "Synthetic sample" in (pdf.get_metadata_dict().get("Subject") or "")
        for n, expected in enumerate(truth["pages"]):
            got = " ".join(pdf[n].get_textpage().get_text_range().split())
            assert layout["running_header"] in got
            words = " ".join(expected.split())
            # every truth line is on that PDF page (line-wrapped there)
            for line in expected.splitlines()[:5]:
                first_cell = line.split(" | ")[0]
                assert " ".join(first_cell.split()[:3]) in got, (f.path.name, n + 1, line)
            assert layout["running_header"] not in words
        pdf.close()


def test_scanned_pdf_has_no_text_layer_and_all_pages_need_ocr(small_corpus):
    scanned = [f for f in small_corpus if f.format == "scanned_pdf"]
    assert scanned
    for f in scanned:
        truth = json.loads(f.truth_path.read_text())
        pdf = pdfium.PdfDocument(f.path.read_bytes())
        assert all(pdf[i].get_textpage().get_text_range().strip() == "" for i in range(len(pdf)))
        assert truth["ocr_pages"] == list(range(1, len(pdf) + 1))
        pdf.close()


def _docx_pages(path: Path) -> list[str]:
    """Body text between explicit page breaks, tables as ``cell | cell`` rows, in body order."""
    from docx.oxml.ns import qn

    pages: list[list[str]] = [[]]
    for el in Docx(str(path)).element.body.iterchildren():
        if el.tag == qn("w:p"):
            if el.xpath('.//w:br[@w:type="page"]'):
                pages.append([])
                continue
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            if text:
                pages[-1].append(text)
        elif el.tag == qn("w:tbl"):
            for tr in el.iter(qn("w:tr")):
                pages[-1].append(" | ".join("".join(t.text or "" for t in tc.iter(qn("w:t")))
                                            for tc in tr.iter(qn("w:tc"))))
    return [" ".join(" ".join(p).split()) for p in pages]


def test_docx_text_between_page_breaks_is_the_truth_page_text(small_corpus):
    docx_files = [f for f in small_corpus if f.format == "docx"]
    assert docx_files
    for f in docx_files:
        truth = json.loads(f.truth_path.read_text())
        d = Docx(str(f.path))
        assert "Synthetic sample" in d.core_properties.subject
        assert d.element.xml.count('w:type="page"') == truth["page_count"] - 1
        assert _docx_pages(f.path) == [" ".join(p.split()) for p in truth["pages"]]
        assert {"Title"} <= {p.style.name for p in d.paragraphs}


def test_html_main_text_is_the_truth_page_and_chrome_is_not(small_corpus):
    from html.parser import HTMLParser

    class Main(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.blocks = False, []

        def handle_starttag(self, tag, attrs):
            self.inside |= tag == "main"
            if self.inside and tag in ("p", "li", "h1", "h2", "h3", "h4", "tr"):
                self.blocks.append([])

        def handle_endtag(self, tag):
            self.inside &= tag != "main"

        def handle_data(self, data):
            if self.inside and self.blocks and data.strip():
                self.blocks[-1].append(data)

    html_files = [f for f in small_corpus if f.format == "html"]
    assert html_files
    for f in html_files:
        truth = json.loads(f.truth_path.read_text())
        html = f.path.read_text()
        parser = Main()
        parser.feed(html)
        body = " ".join(" | ".join(b) if len(b) > 1 else "".join(b) for b in parser.blocks)
        assert truth["page_count"] == 1
        assert " ".join(body.split()) == " ".join(truth["pages"][0].split())
        assert "cookies" in html.lower() and "cookies" not in truth["pages"][0].lower()


@pytest.mark.parametrize("split", ["train", "heldout", "dev"])
def test_twenty_reviews_cover_every_taxonomy_value(split, request):
    docs = request.getfixturevalue(f"{split}_truth")

    def values(key):
        return {v for d in docs for v in key(d) if v is not None}

    assert values(lambda d: [d["doc_type"]]) == set(ids("doc_type"))
    assert values(lambda d: [d["review"]["review_type"]]) == set(ids("review_type"))
    assert values(lambda d: [d["review"]["death_type"]]) == set(ids("death_type"))
    assert values(lambda d: d["review"]["abuse_types"]) == set(ids("abuse_type"))
    assert values(lambda d: [d["review"]["victim"]["sex"]]) == {"female", "male"}
    assert values(lambda d: [d["review"]["victim"]["age_band"]]) == set(AGE_BANDS)
    assert values(lambda d: [d["review"]["region"]]) == set(ids("region"))
    assert values(lambda d: [t["id"] for t in d["themes"]]) == set(ids("theme"))
    assert values(lambda d: [a["id"] for a in d["agencies"]]) == set(ids("agency"))
    assert values(lambda d: [r["scope"] for r in d["recommendations"]]) == {"local", "regional",
                                                                            "national"}
    assert values(lambda d: [r["source"] for r in d["recommendations"]]) == {"list", "table"}


def test_recommendations_mix_smart_and_vague(train_truth):
    recs = [r for d in train_truth for r in d["recommendations"]]
    assert any(r["smart"]["score"] == 3 for r in recs)
    assert any(r["agency"] is None and not r["smart"]["specific"] for r in recs)
    for d in train_truth:
        flat = " ".join(" ".join(d["pages"]).split())
        for r in d["recommendations"]:
            text = " ".join(r["text"].split())
            assert text in flat
            # The truth's page is where the recommendation starts (it may run onto the next page).
            assert r["page"], r
            start = " ".join(d["pages"][r["page"] - 1].split())
            assert text[:40] in start or start[-40:] in text or text in " ".join(
                " ".join(d["pages"][r["page"] - 1:r["page"] + 1]).split()), (r["page"], text[:60])


def test_truth_pages_state_what_the_review_fields_claim(train_truth):
    for d in train_truth:
        text = "\n".join(d["pages"])
        rv = d["review"]
        assert rv["area"] in text
        if rv["chair"]["name"]:
            assert rv["chair"]["name"] in text
        for t in d["themes"]:
            for ev in t["evidence"]:
                assert " ".join(ev["text"].split()) in " ".join(d["pages"][ev["page"] - 1].split())
        for a in d["agencies"]:
            assert a["name"] in text


def test_boilerplate_names_themes_the_review_is_not_about(train_truth):
    """Statutory purposes and terms of reference mention themes; truth themes ignore them."""
    overview = [d for d in train_truth if d["doc_type"] == "overview_report"]
    no_covid = [d for d in overview if "covid19" not in {t["id"] for t in d["themes"]}]
    assert no_covid and all("Covid-19" in "\n".join(d["pages"]) for d in no_covid)


def test_heldout_uses_wordings_train_never_uses(train_truth, heldout_truth):
    def sections(docs):
        return {s["title"] for d in docs for s in d["sections"]}

    def numbers(docs):
        return {(r["number"] or "")[:1].isalpha() or r["number"] is None
                for d in docs for r in d["recommendations"]}

    train_titles, heldout_titles = sections(train_truth), sections(heldout_truth)
    assert heldout_titles and not train_titles & heldout_titles
    assert numbers(train_truth) == {False}       # train numbers are digits only
    assert True in numbers(heldout_truth)        # heldout has R1 / a) / unnumbered
    train_names = {d["review"]["pseudonym"] for d in train_truth}
    heldout_names = {d["review"]["pseudonym"] for d in heldout_truth}
    assert not train_names & heldout_names
    assert any(n.startswith(("Adult ", "Case ", "Mr ", "Mrs ", "Ms ")) for n in heldout_names)


def test_variant_banks_are_disjoint():
    import yaml
    base = Path(__file__).parents[2] / "samples" / "reports" / "data" / "variants"
    train = yaml.safe_load((base / "train.yaml").read_text())
    heldout = yaml.safe_load((base / "heldout.yaml").read_text())
    for key in ("headings", "rec_groups"):
        for k in train[key]:
            assert not set(train[key][k]) & set(heldout[key][k]), (key, k)
    for key in ("date_forms", "female_first_names", "male_first_names", "markings", "footers",
                "running_headers", "time_phrases", "measure_phrases", "vague_openers"):
        assert not set(train[key]) & set(heldout[key]), key
    assert not {s["id"] for s in train["rec_styles"]} & {s["id"] for s in heldout["rec_styles"]}


def test_dev_uses_wordings_train_never_uses(train_truth, dev_truth):
    import yaml
    base = Path(__file__).parents[2] / "samples" / "reports" / "data" / "variants"
    train = yaml.safe_load((base / "train.yaml").read_text())
    dev = yaml.safe_load((base / "dev.yaml").read_text())
    for key in ("headings", "rec_groups"):
        assert set(dev[key]) == set(train[key]), key
        for k in train[key]:
            assert not set(train[key][k]) & set(dev[key][k]), (key, k)
    for key in ("date_forms", "female_first_names", "male_first_names", "markings", "footers",
                "running_headers", "time_phrases", "measure_phrases", "vague_openers"):
        assert not set(train[key]) & set(dev[key]), key
    assert not {s["id"] for s in train["rec_styles"]} & {s["id"] for s in dev["rec_styles"]}
    assert len(dev["action_plan_columns"]) == len(train["action_plan_columns"])
    train_titles = {s["title"] for d in train_truth for s in d["sections"]}
    dev_titles = {s["title"] for d in dev_truth for s in d["sections"]}
    assert dev_titles and not train_titles & dev_titles
    assert {r["number"] is None for d in dev_truth for r in d["recommendations"]} == {True, False}
    assert any(r["text"].startswith("It is recommended that")
               for d in dev_truth for r in d["recommendations"])
    for d in dev_truth:
        flat = " ".join(" ".join(d["pages"]).split())
        for r in d["recommendations"]:
            assert " ".join(r["text"].split()) in flat


def test_generate_documents_yields_valid_distinct_documents():
    docs = list(generate_documents(40, seed=5))
    assert len(docs) == 40
    assert len({d["id"] for d in docs}) == 40
    for d in docs:
        Document.model_validate(d)
        assert d["pages"] and d["format"] == "txt"


def test_generate_review_matches_the_corpus_entry(tmp_path):
    one = generate_review(tmp_path / "one", seed=4, index=2, formats=("html",))
    corpus = generate_corpus(tmp_path / "all", seed=4, n_reviews=3, formats=("html",))
    same = [f for f in corpus if f.review_id == one[0].review_id]
    assert [f.path.read_bytes() for f in same] == [f.path.read_bytes() for f in one]


def test_cli_writes_files_and_rejects_unknown_formats(tmp_path, capsys):
    assert cli_main([str(tmp_path), "--reviews", "1", "--formats", "html"]) == 0
    assert list(tmp_path.glob("*.html")) and list(tmp_path.glob("*.truth.json"))
    assert cli_main([str(tmp_path), "--formats", "wordperfect"]) == 2
    assert "unknown format" in capsys.readouterr().err


def test_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "4242"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-m", "samples.reports", str(out), "--reviews", "2",
                        "--seed", "9", "--formats", "html,docx,pdf"], check=True, env=env,
                       cwd=Path(__file__).parents[2], capture_output=True)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.iterdir())})
    assert digests[0] == digests[1] and len(digests[0]) > 6


def test_heldout_boilerplate_is_reworded(train_truth, heldout_truth):
    def text(docs):
        return "\n".join(p for d in docs if d["doc_type"] == "overview_report" for p in d["pages"])

    assert "Multi-Agency Statutory Guidance for the Conduct" in text(train_truth)
    assert "Multi-Agency Statutory Guidance for the Conduct" not in text(heldout_truth)
    assert "key lines of enquiry for agencies" in text(heldout_truth)
