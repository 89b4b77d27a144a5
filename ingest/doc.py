"""Legacy Word (.doc, Word 97-2003 binary) extraction with ``antiword`` (Debian package antiword).

Registered for format ``doc``. antiword needs a seekable file, so the bytes go to a private
temporary directory under a fixed name (nothing derived from the input is used as a path).
Its text output is split into pages at form feeds (when present) and paragraphs at blank lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ingest.errors import ExtractionError
from ingest.extracted import RawDocument
from ingest.txt import text_blocks

ANTIWORD_TIMEOUT = 120.0


def extract_doc(content: bytes) -> RawDocument:
    exe = shutil.which("antiword")
    if exe is None:
        raise ExtractionError("unsupported", "legacy .doc needs antiword (Debian package antiword)")
    with tempfile.TemporaryDirectory(prefix="dhr-doc-") as tmp:
        path = os.path.join(tmp, "input.doc")
        with open(path, "wb") as fh:
            fh.write(content)
        env = dict(os.environ, ANTIWORDHOME=os.environ.get("ANTIWORDHOME", "/usr/share/antiword"))
        try:
            proc = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", path], capture_output=True,
                                  timeout=ANTIWORD_TIMEOUT, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError("timeout", "antiword did not finish") from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not proc.stdout.strip():
        lowered = err.lower()
        if "encrypt" in lowered or "password" in lowered:
            raise ExtractionError("encrypted", "the Word document is password-protected")
        first = err.splitlines()[0] if err else f"exit status {proc.returncode}"
        reason = "empty" if proc.returncode == 0 else "corrupt"
        raise ExtractionError(reason, f"antiword: {first.replace(path, 'input.doc')}")
    text = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    pages = [text_blocks(page) for page in text.split("\f")]
    while len(pages) > 1 and not pages[-1]:
        pages.pop()
    return RawDocument(format="doc", pages=pages)
