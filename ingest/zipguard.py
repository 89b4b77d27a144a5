"""Refuse zip containers (DOCX) that would decompress to far more than they weigh: zip bombs.

Checked by ``docx.py`` before anything is decompressed, from the sizes each member declares in
the central directory. The worker's memory limit (``worker.py``) backs this up for archives
whose declared sizes lie.
"""

from __future__ import annotations

import io
import zipfile

from ingest.errors import ExtractionError

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # declared uncompressed size of all members
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members large enough to matter
RATIO_FLOOR_BYTES = 8 * 1024 * 1024


def check_zip(content: bytes) -> None:
    """Raise ``ExtractionError`` (too_large / corrupt) for a dangerous or unreadable archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ExtractionError("corrupt", f"the zip container cannot be read ({exc})") from exc
    if len(infos) > MAX_MEMBERS:
        raise ExtractionError("too_large", f"zip container with {len(infos)} members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ExtractionError("too_large",
                                  f"zip member declares {info.file_size} bytes uncompressed")
        if (info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise ExtractionError(
                "too_large",
                f"zip member compressed {info.file_size // max(info.compress_size, 1)}:1 (zip "
                "bomb?)"
            )
    if total > MAX_TOTAL_BYTES:
        raise ExtractionError("too_large", f"zip container declares {total} bytes uncompressed")
