"""Compiled regular expressions kept on disk between processes, for a quick cold start.

A new extraction worker spends about a third of a one-off ``dhr extract`` compiling the rule
files' regular expressions (a thousand patterns, among them alternations of some thousand
phrases), and Python compiles every one of them again in each new process. Python's ``re``
turns a pattern into a program for its matching engine in two steps written in Python (parse,
then generate code), and builds the pattern object in C (``_sre.compile``) from that program.
Once :func:`install`-ed, the program of each pattern compiled in this process is kept; a later
process reads the file once and hands the stored program straight to ``_sre.compile``, which
checks it (a malformed program is refused, never run) and returns the same pattern object.

The file is a cache like Python's own ``.pyc`` files: one per Python build and ``re`` engine
version (both in its name and checked inside), written atomically with mode 0600 under
``$DHR_CACHE/regex`` (default ``~/.cache/dhr``), rewritten only when the new patterns of a run
cost noticeable time to compile, holding what that run used (so patterns nobody uses any more
drop out), and trusted as far as those are (a private folder of the user's). An unreadable,
foreign or corrupt file is ignored; ``DHR_REGEX_CACHE=off`` turns it
off; if this Python's ``re`` internals are not the ones expected, nothing is installed and
patterns compile as usual. Used by the extraction worker (``ingest/worker.py``).
"""

from __future__ import annotations

import array
import marshal
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

try:  # CPython's regular expression engine (private modules: checked below, used only if present)
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python implementation
    _sre = _compiler = _parser = None  # type: ignore[assignment]

# What a stored program depends on: the interpreter build and the engine's own version.
_ENGINE = (f"{sys.implementation.name}-{sys.version.split()[0]}-"
           f"{getattr(_sre, 'MAGIC', 0)}-{getattr(_sre, 'CODESIZE', 0)}")
_FORMAT = 1
SAVE_AFTER_SECONDS = 0.02  # rewrite the file only when new patterns took this long to compile
MAX_ENTRIES = 20000  # a run that compiles more than this keeps only the first ones

# (flags, program as array('I') bytes, groups, groupindex, indexgroup)
_Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]


def default_path() -> Path:
    root = Path(os.environ.get("DHR_CACHE") or Path.home() / ".cache" / "dhr")
    return root / "regex" / f"{_ENGINE}.marshal"


def _supported() -> bool:
    return (_sre is not None and _compiler is not None and _parser is not None
            and callable(getattr(_compiler, "compile", None))
            and callable(getattr(_compiler, "_code", None))
            and callable(getattr(_parser, "parse", None))
            and array.array("I").itemsize == _sre.CODESIZE)


def _valid_entry(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 5 and isinstance(value[0], int)
            and isinstance(value[1], bytes) and isinstance(value[2], int)
            and isinstance(value[3], dict) and isinstance(value[4], tuple))


class RegexCache:
    """The stored programs of one file, serving ``re``'s compile step while installed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stored: dict[tuple[str, int], _Entry] = self._read(path)
        self.used: dict[tuple[str, int], _Entry] = {}
        self.new_seconds = 0.0  # compile time of patterns not found in the file, since saving
        self.hits = 0
        self._original: Any = None

    @staticmethod
    def _read(path: Path) -> dict[tuple[str, int], _Entry]:
        try:
            data = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not (isinstance(data, tuple) and len(data) == 3 and data[:2] == (_FORMAT, _ENGINE)
                and isinstance(data[2], dict)):
            return {}
        return {k: v for k, v in data[2].items()
                if isinstance(k, tuple) and len(k) == 2 and isinstance(k[0], str)
                and isinstance(k[1], int) and _valid_entry(v)}

    def compile(self, pattern: Any, flags: Any = 0) -> Any:
        """``re._compiler.compile`` with the stored program when there is one."""
        if not isinstance(pattern, str) or int(flags) & re.DEBUG:
            return self._original(pattern, flags)
        key = (str(pattern), int(flags))  # (a str subclass is stored as a plain str)
        known = self.used.get(key) or self.stored.get(key)
        if known is not None:
            compiled = self._build(pattern, known)
            if compiled is not None:
                self.used[key] = known
                self.hits += 1
                return compiled
            self.stored.pop(key, None)  # a program the engine refuses: compile it anew
        started = time.perf_counter()
        entry = self._entry(pattern, int(flags))
        compiled = None if entry is None else self._build(pattern, entry)
        if compiled is None or entry is None:
            compiled = self._original(pattern, flags)
        elif len(self.used) < MAX_ENTRIES:
            self.used[key] = entry
        self.new_seconds += time.perf_counter() - started
        return compiled

    @staticmethod
    def _build(pattern: str, entry: _Entry) -> Any:  # (pattern: as given, a subclass kept)
        """The pattern object from a stored program, or None if the engine refuses it."""
        try:
            code = array.array("I")
            code.frombytes(entry[1])
            return _sre.compile(pattern, entry[0], code.tolist(), entry[2], entry[3], entry[4])
        except (RuntimeError, TypeError, ValueError, OverflowError):
            return None

    @staticmethod
    def _entry(pattern: str, flags: int) -> _Entry | None:
        """The program ``re`` builds for a pattern: the steps of ``re._compiler.compile`` (3.11
        to 3.13) before its last call, ``_sre.compile``. None if they fail; a pattern with a
        syntax error then fails in the original, with its usual error."""
        try:
            parsed = _parser.parse(pattern, flags)
            code = _compiler._code(parsed, flags)
            state = parsed.state
            indexgroup: list[str | None] = [None] * state.groups
            for name, index in state.groupdict.items():
                indexgroup[index] = name
            return (int(flags | state.flags), array.array("I", code).tobytes(), state.groups - 1,
                    dict(state.groupdict), tuple(indexgroup))
        except Exception:  # noqa: BLE001 - an engine whose internals differ: just don't keep it
            return None

    def save(self, *, force: bool = False) -> bool:
        """Write the patterns used in this process if new ones cost noticeable time to compile
        (or ``force``). Never raises for a file-system problem; True if written."""
        if not self.used or not (force or self.new_seconds >= SAVE_AFTER_SECONDS):
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".regex-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                    fh.write(marshal.dumps((_FORMAT, _ENGINE, dict(self.used))))
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, ValueError, MemoryError):
            return False
        self.stored.update(self.used)
        self.new_seconds = 0.0
        return True


_installed: RegexCache | None = None


def install(path: Path | None = None) -> RegexCache | None:
    """Serve ``re``'s compile step from the cache file for the rest of this process (idempotent;
    None when turned off by ``DHR_REGEX_CACHE=off`` or not supported by this Python)."""
    global _installed
    if _installed is not None:
        return _installed
    if (
        os.environ.get("DHR_REGEX_CACHE", "").lower() in ("0", "off", "no", "false")
        or not _supported()
    ):
        return None
    try:
        cache = RegexCache(path or default_path())
    except (RuntimeError, OSError):  # no home directory to keep it in: compile as usual
        return None
    cache._original = _compiler.compile
    _compiler.compile = cache.compile
    _installed = cache
    return cache


def uninstall() -> None:
    """Compile as usual again (the patterns ``re`` keeps in its own memory cache stay)."""
    global _installed
    if _installed is not None:
        _compiler.compile = _installed._original
        _installed = None
