"""The grouping method for recurring recommendations: text features and incremental clustering.

Pure functions and an in-memory :class:`Grouper`, with no database (``accountability.recurring``
stores what it decides; ``scripts/evaluate_recurring.py`` measures it on generated families).

1. **Normalise** a recommendation so that only the change it asks for is left: the names of its
   owners and every registry organisation name and alias ("Greater Manchester Police", "GMP",
   "Home Office") are cut out, as are capitalised place names (CSP areas, police force areas,
   regions), agency nouns ("council", "trust", "constabulary"), the recommendation frame
   ("it is recommended that", "should", "must"), generic verbs ("ensure", "improve",
   "raise awareness"), numbers, months and years, deadlines ("within six months"), the
   follow-up ("and report on progress to the board") and English function words. Owners' names
   are cut in any case ("The Kent CSP" at the start of a sentence). **Concepts**
   (``recurring_concepts.yaml``, :mod:`accountability.recurring_concepts`): each phrase that
   says a known thing in another way ("dip-sample", "review a sample of" -> ``audit``; "risk
   identification checklist", "DASH" -> ``dashrisk``; "general practice", "primary care", "GP"
   -> ``gpcare``; "Clare's Law" -> ``disclosurescheme``) is replaced by the concept's id, so
   paraphrases share a term. The remaining words are stemmed with the Snowball English stemmer
   (``snowballstemmer``: the standard algorithm, pure Python, deterministic).
2. **Features**: the stemmed words and their adjacent pairs, each hashed with CRC-32 to an
   integer (stable across processes, unlike Python's ``hash``) and stored per member. A
   recommendation's vector weights its features by inverse document frequency over every
   grouped recommendation (rare terms such as "MARAC" or "body-worn" count more than
   "training"), L2-normalised, so the dot product of two vectors is their cosine.
3. **Assign** recommendations one at a time in a fixed order (year of the review, review key,
   position, id). A recommendation joins the existing group whose *mean* cosine to all its
   members (average linkage, from a sparse matrix product with ``scipy.sparse``) is highest,
   if that mean reaches :data:`THRESHOLD`; otherwise it starts a new group (its id derives
   from the recommendation's id).
4. **Merge** groups the new members touched with any group whose mean cosine between members
   reaches :data:`MERGE_THRESHOLD` (the older group absorbs the newer): a change first seen in
   two unlike wordings becomes one group once later wordings bridge them.

Earlier assignments are never revisited except by merging, so a nightly run only adds (the
incremental path: a group never splits). A full rebuild runs the same steps over everything
from scratch; as its term weights are computed over everything at once, it may differ a little
from the groups nightly runs built. Everything is deterministic: the same recommendations in
the same order give the same groups.

Why these libraries: ``scipy.sparse`` (with ``numpy``) does the one heavy step, similarity of
sparse vectors, in compiled code, and is as well kept as Python libraries get; the clustering
rule is a few lines on top, so it can be incremental, which scikit-learn's clusterers are not.
MinHash-LSH (``datasketch``) estimates Jaccard similarity of word sets, which weighs a rare term
no more than a common one, and the search engine's more-like-this would tie grouping to one of
the two search backends.

The thresholds, stop words and concepts were tuned on the generator's ``train`` and ``dev``
wordings only (several seeds of each; ``scripts/evaluate_recurring.py --split dev --sweep``);
``heldout`` wordings measure them. Lexical similarity finds the same change when the wordings
share its key terms or concepts (DASH, MARAC, body-worn video, coercive control, "dip-sample" for
"audit"), as recommendations in this field usually do; a paraphrase sharing no content word or
concept is missed, and two different changes on one topic worded alike ("audit DASH completion"
and "train officers to complete DASH"; "train staff on coercive control" and "charge coercive
control") can be merged. A change of this method (the concepts, the stop words, the thresholds,
or :data:`METHOD_VERSION` for a change of code) changes :func:`method_fingerprint`, and the
tracker's next sync regroups everything so stored members' features match new ones.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from hashlib import sha256
from itertools import chain, pairwise

import numpy as np
import snowballstemmer
from scipy import sparse

from understanding.owner_registry import Registry, default_registry

from .recurring_concepts import ConceptMap, concepts_source, default_concepts

# Change this when the method changes how it reads or compares recommendations (normalising,
# features, assignment, merging): the tracker then regroups everything at its next sync, as
# the stored members' features and groups came from the old method. The thresholds, stop words,
# generic bodies and the concepts file are part of the fingerprint by themselves.
METHOD_VERSION = "2026-12-05"
THRESHOLD = 0.20        # mean cosine to a group's members to join it (tuned on dev)
MERGE_THRESHOLD = 0.10  # mean cosine between two groups' members to merge them (tuned on dev)

# Kinds of body named without a place ("the Community Safety Partnership"): cut like names.
GENERIC_BODIES = ("Community Safety Partnership", "Safeguarding Adults Board",
                  "Safeguarding Children Partnership", "Integrated Care Board",
                  "Clinical Commissioning Group", "Health and Wellbeing Board",
                  "Probation Service", "Adult Social Care", "Police and Crime Commissioner",
                  "Mental Health NHS Trust", "Mental Health NHS Foundation Trust",
                  "Hospitals NHS Foundation Trust", "Hospitals NHS Trust")

_STOP_WORDS = """
a about above after again all also am an and any are as at be been before being below between
both but by can could did do does doing done during each either every few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
least less many may me might more most much must my myself no nor not now of off on once only or
other our ours out over own per same shall she should so some such than that the their theirs
them themselves then there these they this those through thus to too under until up upon us very
via was we were what when where whether which while who whom whose why will with within without
would yet you your recommend recommended recommends recommendation recommendations review
reviews panel partner partners agency agencies ensure ensures ensuring consider considers local
area areas police constabulary force forces council councils borough county city district
metropolitan nhs trust trusts foundation hospitals partnership partnerships csp icb icbs
integrated board boards commissioning group service services department office authority
authorities provider providers safer homes association probation region regional national
england wales progress target date months month weeks week years year days six three twelve end
one two four nine eighteen january february march april june july august september october
november december time domestic abuse abusive victim victims staff practitioner practitioners
officers professionals frontline including make sure raise improve improving provide deliver
develop establish introduce promote put place set use increase support strengthen extend create
adopt take give carry undertake remind recognise recognising understand understanding know knows
better greater timescale timescales immediately appropriate appropriately among amongst
across whenever
"""
_STOP = frozenset(_STOP_WORDS.split())


def method_fingerprint() -> str:
    """What the stored groups depend on, hashed: :data:`METHOD_VERSION`, the thresholds, the
    stop words, the generic bodies and ``recurring_concepts.yaml``. (The owner registry, whose
    names are cut from the text, is not in it: adding an organisation does not regroup.)"""
    digest = sha256()
    for part in (METHOD_VERSION, repr(THRESHOLD), repr(MERGE_THRESHOLD),
                 " ".join(sorted(_STOP)), "\n".join(GENERIC_BODIES), concepts_source()):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_TOKEN = re.compile(r"[A-Za-z0-9&]+")
_CAPITAL = re.compile(r"\b[A-Z][a-zA-Z'\-]*\b")
_stemmer = snowballstemmer.stemmer("english")
# "... and report on progress to the partnership board": how the change is followed up, not it.
_REPORT_BACK = re.compile(r"\b(?:and )?report(?:s|ing)? (?:back )?(?:on )?(?:its )?progress"
                          r"(?: to [a-z' ]+)?")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


@cache
def _names(registry: Registry) -> tuple[frozenset[tuple[str, ...]], int]:
    """Every organisation name and alias the registry knows, as lower-case word tuples, and
    the longest one's length in words."""
    names = ({o.name for o in registry} | {a for o in registry for a in o.aliases}
             | set(GENERIC_BODIES))
    tuples = {tuple(_TOKEN.findall(n.lower())) for n in names}
    tuples = {t for t in tuples if t and (len(t) > 1 or len(t[0]) > 1)}
    return frozenset(tuples), max(len(t) for t in tuples)


@cache
def _name_starts(registry: Registry) -> frozenset[str]:
    return frozenset(t[0] for t in _names(registry)[0])


def _cut_names(text: str, registry: Registry) -> str:
    """The text with every registry name or alias (whole words, any case) blanked out."""
    names, longest = _names(registry)
    starts = _name_starts(registry)
    spans = [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN.finditer(text)]
    words = [w for _, _, w in spans]
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i] not in starts:
            i += 1
            continue
        for n in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i:i + n]) in names:
                cut.append((spans[i][0], spans[i + n - 1][1]))
                i += n
                break
        else:
            i += 1
    if not cut:
        return text
    out, last = [], 0
    for a, b in cut:
        out.append(text[last:a])
        out.append(" ")
        last = b
    out.append(text[last:])
    return "".join(out)


@cache
def _places(registry: Registry) -> frozenset[str]:
    """Lower-cased words of place names (CSP areas, organisation regions and names)."""
    out: set[str] = set()
    for o in registry:
        if o.kind in ("csp", "police_force", "icb"):
            out.update(w.lower() for w in re.findall(r"[A-Za-z']+", o.name))
        if o.region:
            out.update(w.lower() for w in re.findall(r"[A-Za-z']+", o.region))
    return frozenset(out - {"and", "of", "the", "on", "upon", "in", "care", "health", "safety",
                            "community", "partnership", "police", "board", "integrated",
                            "nhs", "service", "services"})


# The addressee before the modal verb ("GP practices in Leeds should ...", "That Leeds Homes
# ..."), cut even when no owner was resolved, if it ends with a kind of body (optionally "in
# <place>"): its words are not the change ("Training should be ..." is kept).
_SUBJECT = re.compile(
    r"^\s*(?P<frame>(?:it is recommended that|the (?:review|panel) recommends that|we recommend "
    r"that|that)\s+)?(?P<subject>[A-Za-z][\w'&,\- ]{0,100}?)\s+"
    r"(?=(?:should|must|will|is to|are to|to)\s)", re.IGNORECASE)
_BODY_NOUN = re.compile(
    r"\b(?:police|constabulary|council|trusts?|services?|partnership|csp|homes|association|"
    r"practices|providers?|boards?|department|office|nhs|icb|probation|social care|"
    r"commissioner|authority|agency|agencies)(?:\s+(?:in|of|for|and)\s+[\w'\- ]+)?$",
    re.IGNORECASE)

_NOT_SUBJECT = re.compile(r"\b(?:should|must|will|that|to|ensure|make|are|is)\b", re.IGNORECASE)


def _cut_subject(m: re.Match[str]) -> str:
    subject = m.group("subject")
    if (len(subject.split()) <= 10 and _BODY_NOUN.search(subject)
            and not _NOT_SUBJECT.search(subject)):
        return " "
    return m.group(0)


@lru_cache(maxsize=4096)
def _owner_pattern(name: str) -> re.Pattern[str]:
    """An owner's name in any case ("The Kent CSP" at the start of a sentence)."""
    return re.compile(re.escape(name), re.IGNORECASE)


def normalise(text: str, owners: Iterable[str] = (), area: str | None = None,
              registry: Registry | None = None, concepts: ConceptMap | None = None
              ) -> list[str]:
    """The stemmed content words of a recommendation, owners and places cut out, concept
    phrases (``recurring_concepts.yaml``) replaced by their concept's id."""
    registry = registry or default_registry()
    concepts = concepts or default_concepts()
    s = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    for name in sorted((n for n in owners if n), key=len, reverse=True):
        s = _owner_pattern(name).sub(" ", s)
    s = _SUBJECT.sub(_cut_subject, s, count=1)
    s = _cut_names(s, registry)
    if area:
        s = re.sub(r"\b" + re.escape(area) + r"\b", " ", s)
    places = _places(registry)
    s = _CAPITAL.sub(lambda m: " " if m.group(0).lower() in places else m.group(0), s)
    s = _REPORT_BACK.sub(" ", s.lower())
    s = re.sub(r"[0-9]+", " ", concepts.apply(s))
    ids = concepts.ids
    out = []
    for w in _WORD.findall(s):
        if w in ids:
            out.append(w)
            continue
        w = w.removesuffix("'s")
        if len(w) < 2 or w in _STOP:
            continue
        out.append(_stem(w))
    return out


def features(words: Sequence[str]) -> list[int]:
    """Sorted distinct hashed features: the words and adjacent pairs."""
    grams = set(words) | {f"{a} {b}" for a, b in pairwise(words)}
    return sorted({zlib.crc32(g.encode()) & 0x7FFFFFFF for g in grams})


def group_id(first_member: str) -> str:
    return "rg-" + sha256(first_member.encode()).hexdigest()[:16]


@dataclass
class Assignment:
    item: str
    group: str
    new_group: bool
    repeat: bool          # the group already had a member from another review
    score: float


@dataclass
class Grouper:
    """Groups held in memory: every member's feature vector, group and review."""

    threshold: float = THRESHOLD
    merge_threshold: float = MERGE_THRESHOLD
    ids: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)      # member index -> group index
    group_ids: list[str] = field(default_factory=list)
    members: list[list[int]] = field(default_factory=list)
    _feats: list[list[int]] = field(default_factory=list)
    _matrix: sparse.csr_matrix | None = None
    _vocab: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _gindex: dict[str, int] = field(default_factory=dict)
    _idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def load(self, item: str, review: str, group: str, feats: list[int]) -> None:
        """An existing member (from storage), in assignment order."""
        g = self._gindex.get(group)
        if g is None:
            g = self._new_group(group)
        self._append(item, review, g, feats)

    def load_many(self, items: list[str], reviews: list[str], groups: list[str],
                  feats: list[list[int]]) -> None:
        """Existing members (from storage) in assignment order, all at once."""
        gidx = self._gindex
        for gid in groups:
            if gid not in gidx:
                self._new_group(gid)
        base = len(self.ids)
        for k, gid in enumerate(groups):
            g = gidx[gid]
            self.members[g].append(base + k)
            self.groups.append(g)
        self.ids.extend(items)
        self.reviews.extend(reviews)
        self._feats.extend(feats)

    def _new_group(self, gid: str) -> int:
        g = len(self.group_ids)
        self.group_ids.append(gid)
        self._gindex[gid] = g
        self.members.append([])
        return g

    def _append(self, item: str, review: str, g: int, feats: list[int]) -> None:
        self.members[g].append(len(self.ids))
        self.ids.append(item)
        self.reviews.append(review)
        self.groups.append(g)
        self._feats.append(feats)

    def _vectors(self, rows: Sequence[list[int]]) -> sparse.csr_matrix:
        """Rows of IDF-weighted, L2-normalised binary feature vectors (columns: the sorted
        vocabulary of :meth:`_prepare`)."""
        lengths = np.fromiter((len(f) for f in rows), dtype=np.int64, count=len(rows))
        total = int(lengths.sum())
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=total)
        cols = np.searchsorted(self._vocab, flat)
        weights = self._idf[cols] if total else np.zeros(0)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        squares = np.add.reduceat(weights * weights, indptr[:-1]) if total else np.zeros(0)
        squares = np.where(lengths > 0, squares, 1.0) if total else np.ones(len(rows))
        data = weights / np.repeat(np.sqrt(squares), lengths)
        return sparse.csr_matrix((data.astype(np.float32), cols.astype(np.int32), indptr),
                                 shape=(len(rows), max(len(self._vocab), 1)))

    def _prepare(self, pending: Sequence[list[int]]) -> None:
        """The vocabulary (sorted features) and inverse document frequency of each feature
        over the stored members and the ones about to be assigned (smoothed as scikit-learn
        does: ln((1+n)/(1+df)) + 1)."""
        flat = np.fromiter(chain(chain.from_iterable(self._feats), chain.from_iterable(pending)),
                           dtype=np.int64)
        n = len(self._feats) + len(pending)
        self._vocab, df = np.unique(flat, return_counts=True)
        self._idf = np.log((1 + n) / (1 + df)) + 1.0
        self._matrix = None

    def add(self, items: Sequence[tuple[str, str, list[int]]], chunk: int = 1000
            ) -> list[Assignment]:
        """Assign (id, review key, features) in the order given; returns each one's group."""
        out: list[Assignment] = []
        self._prepare([f for _, _, f in items])
        for start in range(0, len(items), chunk):
            out += self._add_chunk(items[start:start + chunk])
        return out

    def _add_chunk(self, items: Sequence[tuple[str, str, list[int]]]) -> list[Assignment]:
        n_old = len(self.ids)
        old = self._old_matrix()
        new = self._vectors([f for _, _, f in items])
        n_groups = len(self.group_ids)
        # Sums of each new item's cosines to the members of each existing group, in one sparse
        # product with the membership matrix; items of this chunk are added as they are placed.
        if n_old:
            member_of = sparse.csr_matrix(
                (np.ones(n_old, dtype=np.float32), (np.arange(n_old), np.asarray(self.groups))),
                shape=(n_old, max(n_groups, 1)))
            group_sums = ((new @ old.T) @ member_of).tocsr()
        else:
            group_sums = None
        within = (new @ new.T).tocsr()
        sizes = np.zeros(n_groups + len(items), dtype=np.float64)
        sizes[:n_groups] = [len(m) for m in self.members]
        chunk_groups = np.zeros(len(items), dtype=np.int64)
        out = []
        for i, (item, review, feats) in enumerate(items):
            total = len(self.group_ids)
            dense = np.zeros(total, dtype=np.float64)
            if group_sums is not None:
                lo, hi = group_sums.indptr[i], group_sums.indptr[i + 1]
                dense[group_sums.indices[lo:hi]] += group_sums.data[lo:hi]
            lo, hi = within.indptr[i], within.indptr[i + 1]
            widx, wsims = within.indices[lo:hi], within.data[lo:hi]
            keep = widx < i
            if keep.any():
                np.add.at(dense, chunk_groups[widx[keep]], wsims[keep])
            means = np.divide(dense, sizes[:total], out=np.zeros(total), where=sizes[:total] > 0)
            best, score = -1, 0.0
            if total:
                best = int(np.argmax(means))   # ties: the lowest index (the oldest group)
                score = float(means[best])
            if best >= 0 and score >= self.threshold and feats:
                repeat = any(self.reviews[m] != review for m in self.members[best])
                g = best
                out.append(Assignment(item, self.group_ids[best], False, repeat, score))
            else:
                gid = group_id(item)
                g = self._new_group(gid)
                out.append(Assignment(item, gid, True, False, score))
            self._append(item, review, g, feats)
            sizes[g] += 1
            chunk_groups[i] = g
        self._matrix = sparse.vstack([old, new], format="csr") if n_old else new
        return out

    def merge(self, touched: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """Merge groups whose average linkage (mean cosine between their members) reaches
        ``merge_threshold``: a family first seen in two wordings becomes one group once members
        bridge them. Rounds, each merging the best pairs first (the older group, the one with
        the lower index, absorbs the other), until none qualifies. ``touched``: group ids to
        check against all others (default: all). Returns (absorbed, into) pairs."""
        merged: list[tuple[str, str]] = []
        active = ({self._gindex[g] for g in touched if g in self._gindex} if touched is not None
                  else set(range(len(self.group_ids))))
        while active:
            mat = self._old_matrix()
            n = len(self.ids)
            assign = sparse.csr_matrix(
                (np.ones(n, dtype=np.float32), (np.asarray(self.groups), np.arange(n))),
                shape=(len(self.group_ids), n))
            cent = (assign @ mat).tocsr()                     # sum of member vectors
            sizes = np.asarray([max(len(m), 1) for m in self.members], dtype=np.float64)
            act = sorted(g for g in active if self.members[g])
            if not act:
                break
            inter = (cent[act] @ cent.T).tocoo()
            pairs = []
            for r, c, v in zip(inter.row, inter.col, inter.data, strict=True):
                a, b = act[r], int(c)
                if a == b or not self.members[b]:
                    continue
                score = v / (sizes[a] * sizes[b])
                if score >= self.merge_threshold:
                    pairs.append((-score, min(a, b), max(a, b)))
            pairs.sort()
            done: set[int] = set()
            active = set()
            for _, a, b in pairs:
                if a in done or b in done:
                    continue
                done.update((a, b))
                for m in self.members[b]:
                    self.groups[m] = a
                self.members[a] = sorted(self.members[a] + self.members[b])
                self.members[b] = []
                merged.append((self.group_ids[b], self.group_ids[a]))
                active.add(a)
        return merged

    def _old_matrix(self) -> sparse.csr_matrix:
        if self._matrix is None or self._matrix.shape[0] != len(self.ids):
            self._matrix = self._vectors(self._feats)
        return self._matrix


def group_items(grouper: Grouper, items: Sequence[tuple[str, str, list[int]]]) -> list[str]:
    """Assign then merge (what a tracker run does); the final group id of each item."""
    assigned = grouper.add(items)
    grouper.merge({a.group for a in assigned})
    return [grouper.group_ids[grouper.groups[i]]
            for i in range(len(grouper.ids) - len(items), len(grouper.ids))]


def pairwise_scores(truth: Sequence[str | None], predicted: Sequence[str]) -> dict[str, float]:
    """Pairwise precision and recall of "same group": a pair of recommendations is a true pair
    when the truth puts both in one family (``None``: a one-off, in no family)."""
    from collections import Counter

    pred_pairs = sum(c * (c - 1) // 2 for c in Counter(predicted).values())
    true_pairs = sum(c * (c - 1) // 2 for f, c in Counter(truth).items() if f is not None)
    both = sum(c * (c - 1) // 2 for (f, _), c in Counter(zip(truth, predicted, strict=True)).items()
               if f is not None)
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return {"precision": precision, "recall": recall, "pairs_true": float(true_pairs),
            "pairs_predicted": float(pred_pairs)}
