"""The content-addressed file store: whole files or nothing, each content once."""

from __future__ import annotations

import hashlib
import os

import pytest

from service.store import files


def test_same_bytes_stored_once_under_their_sha256(tmp_path):
    data = "科室廉政风险防控排查表".encode() * 100
    digest = files.put(data, tmp_path)
    assert digest == hashlib.sha256(data).hexdigest() and files.put(data, tmp_path) == digest
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert stored == [tmp_path / digest[:2] / digest[2:4] / digest]
    assert files.get(digest, tmp_path) == data


def test_a_write_that_breaks_leaves_no_torn_or_temporary_file(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        files.put(b"x" * 4096, tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
