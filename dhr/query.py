"""The user's query language, parsed once into a small syntax tree that each backend compiles.

Syntax (contract.md section 3): words (all must match), ``"exact phrases"``, ``-exclusions``
(also ``-"a phrase"``), ``OR`` between alternatives, ``prefix*``, and parentheses for grouping.
Malformed input raises :class:`QuerySyntaxError` with a message a user can act on; the API turns
it into a 400. The raw string never reaches a backend's own query parser.

Normalisation shared by both backends, so that they return the same result sets:
- words are split into tokens on anything that is not a letter or digit, lower-cased and stripped
  of accents; a word of several tokens (``multi-agency``) becomes a stemmed phrase;
- English stop words are dropped from plain words (Elasticsearch's analyzer drops them too);
- phrases and prefixes match the unstemmed ("exact") text; plain words match stemmed text;
- domain synonyms (``mappings/synonyms.txt``) expand plain words: ``idva`` also matches
  "independent domestic violence advisor" (Elasticsearch does it with ``synonym_graph``; the
  embedded backend gets the same alternatives from :func:`expand_synonyms`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAX_QUERY_CHARS = 4000
MAX_CLAUSES = 400
MIN_PREFIX_CHARS = 2
# Parentheses may nest this deep. Every level can become two nested boolean queries on
# Elasticsearch (whose default limit is 20: indices.query.bool.max_nested_depth), and the
# parser and compilers recurse once per level; no real search needs more than a few.
MAX_NESTING = 8
# What a query may cost. A prefix matches every indexed word that starts with it: a short one
# is thousands of words, each read from the index; so a query has at most MAX_PREFIXES of them.
# Synonyms multiply words: the expanded query has at most MAX_LEAVES words and phrases (under
# Elasticsearch's smallest clause limit, 1024).
MAX_PREFIXES = 10
MAX_LEAVES = 1000

# Lucene's English stop words (the `_english_` set of Elasticsearch's stop filter).
STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
     "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
     "they", "this", "to", "was", "will", "with"]
)

SYNONYMS_PATH = Path(__file__).resolve().parent.parent / "mappings" / "synonyms.txt"


class QuerySyntaxError(ValueError):
    """A malformed query: ``message`` says what is wrong and how to fix it."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position


# -- syntax tree -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """A plain word (one token after normalisation), matched on stemmed text."""
    token: str


@dataclass(frozen=True)
class Phrase:
    """Tokens in order. ``exact``: on unstemmed text (quoted phrases); else on stemmed text."""
    tokens: tuple[str, ...]
    exact: bool = True


@dataclass(frozen=True)
class Prefix:
    prefix: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AtLeast:
    """At least ``k`` of ``children`` (the some-words fallback, :func:`relax`)."""
    k: int
    children: tuple[Node, ...]


@dataclass(frozen=True)
class MatchNone:
    """A query that can match nothing (e.g. only stop words)."""


Node = Term | Phrase | Prefix | Not | And | Or | AtLeast | MatchNone


# -- normalisation -----------------------------------------------------------------------------
# A token, and a possessive 's after it that is dropped with it (Elasticsearch's possessive
# filter): one pass over the text.
_TOKEN_RE = re.compile(r"([^\W_]+)(?:['’]s\b)?", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents (like asciifolding / remove_diacritics)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    if decomposed.isascii():
        return decomposed
    # Look at each distinct character once, not at every character of a long text.
    marks = {ord(ch): None for ch in set(decomposed) if unicodedata.combining(ch)}
    return decomposed.translate(marks) if marks else decomposed


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(fold(text))


# -- parser ------------------------------------------------------------------------------------
_LEX_RE = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|(?P<q>"[^"]*"?)|(?P<w>[^\s()"]+)')


def _lex(text: str) -> list[tuple[str, str, int]]:
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _LEX_RE.match(text, pos)
        assert m is not None  # the pattern matches any character
        if m.lastgroup == "lp":
            toks.append(("(", "(", pos))
        elif m.lastgroup == "rp":
            toks.append((")", ")", pos))
        elif m.lastgroup == "q":
            raw = m.group("q")
            if len(raw) < 2 or not raw.endswith('"'):
                raise QuerySyntaxError('A phrase is missing its closing quote (").', pos)
            toks.append(("phrase", raw[1:-1], pos))
        elif m.lastgroup == "w":
            toks.append(("word", m.group("w"), pos))
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, text: str):
        self.toks = _lex(text)
        self.i = 0
        self.clauses = 0
        self.depth = 0
        self.prefixes = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node | None:
        if not self.toks:
            return None
        node = self.or_expr()
        if self.peek() is not None:
            _, _, pos = self.peek()  # type: ignore[misc]
            raise QuerySyntaxError("Unbalanced ')': remove it or add a matching '('.", pos)
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (t := self.peek()) and t[0] == "word" and t[1] == "OR":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt[0] == ")" or (nxt[0] == "word" and nxt[1] == "OR"):
                raise QuerySyntaxError("'OR' must stand between two words or phrases.", t[2])
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts: list[Node] = []
        while (t := self.peek()) and t[0] != ")" and not (t[0] == "word" and t[1] == "OR"):
            parts.append(self.unary())
        if not parts:
            t = self.peek()
            if t and t[0] == "word":
                raise QuerySyntaxError("'OR' must stand between two words or phrases.", t[2])
            raise QuerySyntaxError("Empty group: '()' needs something to search for.",
                                   t[2] if t else None)
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        kind, value, pos = self.toks[self.i]
        if kind == "word" and value.startswith("-") and len(value) > 1:
            # -word: exclusion of that word
            self.toks[self.i] = ("word", value[1:], pos + 1)
            return Not(self.atom())
        if kind == "word" and value == "-":
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if nxt is None or nxt[0] not in ("phrase", "(") or nxt[2] != pos + 1:
                raise QuerySyntaxError("'-' must be followed directly by a word or phrase "
                                       "to exclude, e.g. -covid.", pos)
            self.i += 1
            return Not(self.atom())
        return self.atom()

    def _count(self, pos: int) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"Too many words: at most {MAX_CLAUSES} are allowed.", pos)

    def atom(self) -> Node:
        kind, value, pos = self.toks[self.i]
        self.i += 1
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise QuerySyntaxError(
                    f"Too many nested parentheses: groups may nest at most {MAX_NESTING} "
                    "levels deep.", pos)
            node = self.or_expr()
            t = self.peek()
            if t is None or t[0] != ")":
                raise QuerySyntaxError("Unbalanced '(': add the closing ')'.", pos)
            self.i += 1
            self.depth -= 1
            return node
        if kind == "phrase":
            tokens = tokenize(value)
            self._count(pos)
            if not tokens:
                raise QuerySyntaxError("An empty phrase (\"\") has nothing to search for.", pos)
            return Phrase(tuple(tokens), exact=True)
        if kind == ")":  # pragma: no cover - guarded by and_expr
            raise QuerySyntaxError("Unbalanced ')'.", pos)
        # a word
        self._count(pos)
        if value.endswith("*"):
            stem = value.rstrip("*")
            tokens = tokenize(stem)
            if len(tokens) != 1 or "*" in stem:
                raise QuerySyntaxError(
                    f"'{value}': a prefix search is one word followed by *, e.g. assess*.", pos)
            if len(tokens[0]) < MIN_PREFIX_CHARS:
                raise QuerySyntaxError(
                    f"'{value}': a prefix needs at least {MIN_PREFIX_CHARS} letters.", pos)
            self.prefixes += 1
            if self.prefixes > MAX_PREFIXES:
                raise QuerySyntaxError(
                    f"Too many prefix searches (words ending in *): at most {MAX_PREFIXES} are "
                    "allowed in one query.", pos)
            return Prefix(tokens[0])
        tokens = tokenize(value)
        if not tokens:
            return MatchNone()  # punctuation only
        if len(tokens) == 1:
            return MatchNone() if tokens[0] in STOP_WORDS else Term(tokens[0])
        return Phrase(tuple(tokens), exact=False)


def _simplify(node: Node) -> Node:
    """Drop stop words (MatchNone) from AND groups, flatten nested groups."""
    if isinstance(node, And):
        kids: list[Node] = []
        for child in map(_simplify, node.children):
            if isinstance(child, And):
                kids.extend(child.children)
            elif isinstance(child, Not) and isinstance(child.child, MatchNone):
                continue  # excluding a stop word excludes nothing
            elif not isinstance(child, MatchNone):
                kids.append(child)
        if not kids:
            return MatchNone()
        return kids[0] if len(kids) == 1 else And(tuple(kids))
    if isinstance(node, Or):
        kids = []
        for child in map(_simplify, node.children):
            if isinstance(child, Or):
                kids.extend(child.children)
            elif not isinstance(child, MatchNone):
                kids.append(child)
        if not kids:
            return MatchNone()
        return kids[0] if len(kids) == 1 else Or(tuple(kids))
    if isinstance(node, Not):
        return Not(_simplify(node.child))
    return node


def parse_query(text: str | None) -> Node | None:
    """Parse a user query; ``None`` for an empty query (match everything)."""
    if text is None:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"The query is too long: at most {MAX_QUERY_CHARS} characters.")
    if "\x00" in text:
        raise QuerySyntaxError("The query contains a NUL character.")
    node = _Parser(text).parse()
    if node is None:
        return None
    node = _simplify(node)
    node = expand_synonyms(node)
    if _count_leaves(node) > MAX_LEAVES:
        raise QuerySyntaxError(f"The query is too large: with synonyms it searches for more "
                               f"than {MAX_LEAVES} words and phrases. Use fewer words.")
    if isinstance(node, Not) and isinstance(node.child, MatchNone):
        return None
    return node


# -- synonyms ----------------------------------------------------------------------------------
@cache
def synonym_groups(path: Path = SYNONYMS_PATH) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Equivalence groups from the Solr-format synonyms file (``a, b c, d``)."""
    groups = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or "=>" in line:
                continue
            alts = tuple(tuple(tokenize(a)) for a in line.split(",") if tokenize(a))
            if len(alts) > 1:
                groups.append(alts)
    return tuple(groups)


def expand_synonyms(node: Node, groups=None) -> Node:  # noqa: C901
    """Let plain-word runs that spell a synonym also match its alternatives; never fewer matches.

    A run of plain words spelling a multi-word synonym becomes (all those words, anywhere) OR
    (each alternative as a stemmed phrase): ``coercive control`` still finds a report saying
    "coercive behaviour ... controlled what she wore", and also one saying only "controlling
    behaviour". A single word becomes (the word) OR (each alternative). A hyphenated word, which
    the user wrote as a phrase, becomes the OR of the phrase alternatives."""
    groups = synonym_groups() if groups is None else groups
    if not groups:
        return node
    by_first: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
    for group in groups:
        for alt in group:
            by_first.setdefault(alt[0], []).append((alt, group))
    for lst in by_first.values():
        lst.sort(key=lambda x: -len(x[0]))  # longest match first

    def alternatives(group: tuple[tuple[str, ...], ...]) -> Or:
        kids = tuple(Term(a[0]) if len(a) == 1 else Phrase(a, exact=False) for a in group)
        return Or(kids)

    def expand_run(terms: list[Term]) -> list[Node]:
        out: list[Node] = []
        i = 0
        while i < len(terms):
            hit = None
            for alt, group in by_first.get(terms[i].token, []):
                if tuple(t.token for t in terms[i:i + len(alt)]) == alt:
                    hit = (alt, group)
                    break
            if hit:
                alts = alternatives(hit[1])
                if len(hit[0]) > 1:  # the typed words, anywhere in the text, also match
                    words = And(tuple(terms[i:i + len(hit[0])]))
                    alts = Or((words, *alts.children))
                out.append(alts)
                i += len(hit[0])
            else:
                out.append(terms[i])
                i += 1
        return out

    def walk(n: Node) -> Node:
        if isinstance(n, Term):
            kids = expand_run([n])
            return kids[0]
        if isinstance(n, Phrase) and not n.exact:
            for alt, group in by_first.get(n.tokens[0], []):
                if alt == n.tokens:
                    return alternatives(group)
            return n
        if isinstance(n, Not):
            return Not(walk(n.child))
        if isinstance(n, Or):
            return Or(tuple(walk(c) for c in n.children))
        if isinstance(n, And):
            out: list[Node] = []
            run: list[Term] = []
            for c in n.children:
                if isinstance(c, Term):
                    run.append(c)
                    continue
                out.extend(expand_run(run))
                run = []
                out.append(walk(c))
            out.extend(expand_run(run))
            return out[0] if len(out) == 1 else And(tuple(out))
        return n

    return walk(node)


def _count_leaves(node: Node) -> int:
    if isinstance(node, (And, Or)):
        return sum(_count_leaves(c) for c in node.children)
    if isinstance(node, Not):
        return _count_leaves(node.child)
    return 1


def positive_leaves(node: Node | None) -> list[Term | Phrase | Prefix]:
    """Leaves that are not under a NOT: what a highlight should mark."""
    if node is None or isinstance(node, (MatchNone, Not)):
        return []
    if isinstance(node, (Term, Phrase, Prefix)):
        return [node]
    return [leaf for c in node.children for leaf in positive_leaves(c)]


# -- the some-words fallback -------------------------------------------------------------------
FALLBACK_SHARE = 0.75  # of the words a fallback match must have (rounded up, one fewer at most)


def relax(node: Node | None) -> AtLeast | And | None:
    """For an all-words query (two or more words or phrases, all required, perhaps with
    exclusions): the same query matching most of them, ``minimum_should_match``-like. At least
    ``ceil(0.75 n)`` of the ``n`` parts, and always one fewer than all, so two words become
    either word; exclusions still exclude. ``None`` for any other query (an OR the user wrote,
    one word, a prefix alone): it has no weaker form that still says what was asked."""
    if not isinstance(node, And):
        return None
    positive = [c for c in node.children if not isinstance(c, Not)]
    negative = [c for c in node.children if isinstance(c, Not)]
    if len(positive) < 2:
        return None
    k = min(len(positive) - 1, math.ceil(FALLBACK_SHARE * len(positive)))
    most = AtLeast(max(1, k), tuple(positive))
    return And((most, *negative)) if negative else most
