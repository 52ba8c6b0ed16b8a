"""The content-addressed file store: bytes are kept under files/aa/bb/<sha256>.

Write to a temporary file in the same folder, fsync, then rename: a crash leaves either
the whole file or nothing, never a torn one, and the same bytes are stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from service.config import settings


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_for(sha256: str, root: Path | None = None) -> Path:
    root = root or settings().files_dir
    return root / sha256[:2] / sha256[2:4] / sha256


def put(data: bytes, root: Path | None = None) -> str:
    """Store `data` durably; return its sha256. Idempotent."""
    digest = sha256_hex(data)
    target = path_for(digest, root)
    if target.exists() and target.stat().st_size == len(data):
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def get(sha256: str, root: Path | None = None) -> bytes:
    return path_for(sha256, root).read_bytes()
