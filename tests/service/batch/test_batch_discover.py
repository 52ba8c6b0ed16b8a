"""Discovery: every file under a folder is seen, zip members included; unsafe ones are refused."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from service.batch.discover import MAX_ARCHIVE_MEMBERS, discover, discover_archive

LIMIT = 1024 * 1024


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _by_path(found) -> dict:  # noqa: ANN001
    return {f.path: f for f in found}


def test_walks_folders_recursively_and_skips_office_droppings(tmp_path: Path) -> None:
    (tmp_path / "财务局" / "科室").mkdir(parents=True)
    (tmp_path / "财务局" / "a.docx").write_bytes(b"docx")
    (tmp_path / "财务局" / "科室" / "b.xlsx").write_bytes(b"xlsx")
    (tmp_path / "财务局" / "~$a.docx").write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "说明.txt").write_text("not a form")
    found = _by_path(discover(tmp_path, max_file_bytes=LIMIT))
    assert set(found) == {"财务局/a.docx", "财务局/科室/b.xlsx", "说明.txt"}
    assert found["财务局/科室/b.xlsx"].folders == ("财务局", "科室")
    assert found["财务局/a.docx"].data == b"docx"
    assert found["说明.txt"].error_code == "unsupported_format"
    assert "不支持" in found["说明.txt"].error_message


def test_every_kind_of_scan_or_photo_the_parser_reads_is_taken_from_folders_and_archives(tmp_path: Path) -> None:
    """A phone's .webp or .gif is read like a .jpg (the refusal message itself lists them)."""
    names = ["拍照.jpg", "拍照.JPEG", "扫描.png", "扫描.tif", "截图.bmp", "手机.webp", "动图.gif"]
    for name in names:
        (tmp_path / name).write_bytes(b"image")
    (tmp_path / "表格.zip").write_bytes(_zip({f"压缩/{name}": b"image" for name in names}))
    found = _by_path(discover(tmp_path, max_file_bytes=LIMIT))
    assert {path: f.error_code for path, f in found.items()} == dict.fromkeys(
        [*names, *(f"表格.zip!/压缩/{name}" for name in names)])


def test_oversized_and_empty_files_are_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "big.docx").write_bytes(b"x" * (LIMIT + 1))
    (tmp_path / "empty.xlsx").write_bytes(b"")
    found = _by_path(discover(tmp_path, max_file_bytes=LIMIT))
    assert found["big.docx"].error_code == "too_large" and found["big.docx"].data is None
    assert found["empty.xlsx"].error_code == "empty_file"


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.docx"
    outside.write_bytes(b"secret")
    root = tmp_path / "batch"
    root.mkdir()
    os.symlink(outside, root / "link.docx")
    (found,) = discover(root, max_file_bytes=LIMIT)
    assert found.error_code == "symlink" and found.data is None


def test_zip_members_become_files_with_their_folders(tmp_path: Path) -> None:
    archive = _zip({"教育局/一科.docx": b"one", "教育局/二科/表.xlsx": b"two", "__MACOSX/._x.docx": b"junk"})
    (tmp_path / "上报").mkdir()
    (tmp_path / "上报" / "forms.zip").write_bytes(archive)
    found = _by_path(discover(tmp_path, max_file_bytes=LIMIT))
    assert set(found) == {"上报/forms.zip!/教育局/一科.docx", "上报/forms.zip!/教育局/二科/表.xlsx"}
    member = found["上报/forms.zip!/教育局/二科/表.xlsx"]
    assert member.folders == ("上报", "教育局", "二科")
    assert member.filename == "表.xlsx" and member.data == b"two"


def test_gbk_member_names_from_chinese_windows_are_read_correctly() -> None:
    gbk = "财务局.docx".encode("gbk")
    placeholder = b"abcdef.docx"
    assert len(gbk) == len(placeholder)
    # Rewrite the name in both headers as GBK bytes without the UTF-8 flag, as Windows tools do.
    archive = _zip({placeholder.decode(): b"data"}).replace(placeholder, gbk)
    (found,) = discover_archive(archive, "up.zip", max_file_bytes=LIMIT)
    assert found.filename == "财务局.docx" and found.data == b"data"


def test_traversal_and_absolute_member_paths_are_refused() -> None:
    archive = _zip({"../../etc/evil.docx": b"x", "/abs/evil.xlsx": b"y", "ok/good.docx": b"z"})
    found = list(discover_archive(archive, "up.zip", max_file_bytes=LIMIT))
    codes = {f.path: f.error_code for f in found}
    assert codes["up.zip!/ok/good.docx"] is None
    refused = [f for f in found if f.error_code == "unsafe_path"]
    assert len(refused) == 2 and all(f.data is None for f in refused)
    assert all("不安全" in f.error_message for f in refused)


def test_nested_archives_and_huge_members_are_refused() -> None:
    inner = _zip({"x.docx": b"x"})
    archive = _zip({"nested.zip": inner, "big.xlsx": b"a" * (LIMIT + 10), "ok.docx": b"fine"})
    found = {f.filename: f for f in discover_archive(archive, "up.zip", max_file_bytes=LIMIT)}
    assert found["nested.zip"].error_code == "nested_archive"
    assert found["big.xlsx"].error_code == "too_large" and found["big.xlsx"].data is None
    assert found["ok.docx"].error_code is None


def test_a_highly_compressed_member_is_a_zip_bomb() -> None:
    archive = _zip({"bomb.docx": b"\0" * (4 * 1024 * 1024)})
    (found,) = discover_archive(archive, "up.zip", max_file_bytes=8 * 1024 * 1024)
    assert found.error_code == "zip_bomb" and found.data is None


def test_encrypted_members_are_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("secret.docx", b"data")
    raw = bytearray(buf.getvalue())
    # Set the "encrypted" general-purpose flag in the local and central headers.
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        raw[flag_at] |= 0x1
    (found,) = discover_archive(bytes(raw), "up.zip", max_file_bytes=LIMIT)
    assert found.error_code == "encrypted"


def test_corrupt_archive_is_one_recorded_failure() -> None:
    (found,) = discover_archive(b"PK\x03\x04 not really a zip", "up.zip", max_file_bytes=LIMIT)
    assert found.error_code == "corrupt_file" and found.path == "up.zip"


def test_archive_member_count_is_capped(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("service.batch.discover.MAX_ARCHIVE_MEMBERS", 3)
    archive = _zip({f"f{i}.docx": b"x" for i in range(5)})
    found = list(discover_archive(archive, "up.zip", max_file_bytes=LIMIT))
    assert [f.error_code for f in found] == [None, None, None, "too_many_files"]
    assert MAX_ARCHIVE_MEMBERS >= 1000
