"""The content-addressed file store: bytes are kept under files/aa/bb/<sha256>.

Write to a temporary file in the same folder, fsync, then rename: a crash leaves either
the whole file or nothing, never a torn one, and the same bytes are stored once. A process
killed mid-write leaves its `.tmp-*` file behind; `sweep_stale_temp()` (run when the server
starts) removes those old enough that no live writer can still own them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from service.config import settings

TEMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600  # far longer than any write of a 50 MB file takes


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
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
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


def sweep_stale_temp(max_age: float = STALE_TEMP_SECONDS) -> int:
    """Remove temporary files (file store) and folders (generated documents) older than
    `max_age` seconds, left by killed writers; returns how many were removed."""
    config = settings()
    cutoff = time.time() - max_age
    removed = 0
    candidates = [*config.files_dir.glob(f"*/*/{TEMP_PREFIX}*"), *config.documents_dir.glob(f"{TEMP_PREFIX}*")]
    for path in candidates:
        try:
            if path.lstat().st_mtime >= cutoff:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:  # another process swept it first
            continue
        removed += 1
    return removed
