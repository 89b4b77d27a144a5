"""Write legacy Word 97-2003 ``.doc`` files by converting generated DOCX with LibreOffice.

Renderer for the ``doc`` format, run after ``render_docx``: LibreOffice headless (Debian package
``libreoffice-writer-nogui``) converts a batch of DOCX files in one start (its start-up costs
2-5 s, the conversion milliseconds per file) with the "MS Word 97" filter. The result is a real
Word binary (OLE2 compound file with a ``WordDocument`` stream); LibreOffice keeps the DOCX core
properties, so the synthetic-sample statement stays in the file's summary information. The same
route writes RTF (format ``rtf``), which many old ".doc" downloads really are. Each run
uses a private LibreOffice profile directory so parallel runs do not collide. Same DOCX, same
bytes (checked by the tests). Without LibreOffice nothing is written: callers skip ``.doc``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")
DEBIAN_PACKAGE = "libreoffice-writer-nogui"
START_TIMEOUT = 60.0  # seconds for LibreOffice to start, plus PER_FILE_TIMEOUT per file
PER_FILE_TIMEOUT = 10.0


class DocWriterError(RuntimeError):
    """LibreOffice is missing or failed to convert."""


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def doc_writer_missing() -> str | None:
    """Why ``.doc`` files cannot be written here, or None when they can."""
    if soffice_path() is None:
        return (f"legacy .doc needs LibreOffice (Debian package {DEBIAN_PACKAGE}: "
                f"apt-get install -y --no-install-recommends {DEBIAN_PACKAGE}); .doc files skipped")
    return None


FILTERS = {"doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format"}


def docx_to_doc(docx_files: dict[str, bytes], *, target: str = "doc") -> dict[str, bytes]:
    """Convert DOCX bytes to Word 97 ``.doc`` bytes (or RTF with ``target="rtf"``), keyed by the
    same keys."""
    if target not in FILTERS:
        raise ValueError(f"unknown target {target!r}: expected one of {', '.join(FILTERS)}")
    exe = soffice_path()
    if exe is None:
        raise DocWriterError(doc_writer_missing() or "LibreOffice not found")
    if not docx_files:
        return {}
    with tempfile.TemporaryDirectory(prefix="dhr-doc-writer-") as tmp:
        root = Path(tmp)
        src, out, profile = root / "in", root / "out", root / "profile"
        src.mkdir()
        inputs = []
        for i, data in enumerate(docx_files.values()):
            path = src / f"f{i:05d}.docx"  # fixed names: nothing from the caller becomes a path
            path.write_bytes(data)
            inputs.append(str(path))
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", FILTERS[target], "--outdir", str(out), *inputs]
        try:
            proc = subprocess.run(cmd, capture_output=True, check=False,
                                  timeout=START_TIMEOUT + PER_FILE_TIMEOUT * len(inputs))
        except subprocess.TimeoutExpired as exc:
            raise DocWriterError("LibreOffice did not finish converting to .doc") from exc
        result = {}
        for i, name in enumerate(docx_files):
            written = out / f"f{i:05d}.{target}"
            if not written.is_file():
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                raise DocWriterError(f"LibreOffice wrote no .{target} (exit {proc.returncode}): "
                                     f"{err[-1] if err else 'no message'}")
            result[name] = written.read_bytes()
    return result
