"""Find the files of a batch: walk a folder, open .zip archives, refuse what is unsafe.

Nothing is extracted to disk: zip members are read into memory with hard caps, so a
hostile archive (path traversal, thousands of members, a zip bomb, encrypted members)
becomes recorded failures, never a write outside the batch or an exhausted machine.
Every file seen is yielded, refused ones included, so the batch report lists them all:
a second member of an archive under a path already seen (a .zip may hold one path twice)
is yielded too, under that path with "#2" appended, refused as `duplicate_path`.
Each file carries its own modification time (a member's entry time), which orders two
versions of one form (service.ingest.replaces).
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from parsers.api import FORM_SUFFIXES
from parsers.errors import MESSAGES
from service.ingest import file_time

ARCHIVE_SUFFIX = ".zip"
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})

# Caps for a batch archive (an archive of forms, unlike the OOXML containers parsers/ checks).
MAX_ARCHIVE_MEMBERS = 5_000
MAX_ARCHIVE_BYTES = 2 * 1024**3  # total uncompressed
MAX_MEMBER_RATIO = 200
RATIO_MIN_BYTES = 1024 * 1024
ARCHIVE_SEP = "!/"  # "单位A/forms.zip!/科室/表.docx": a member's path inside its archive

REFUSALS: dict[str, str] = {
    "unsafe_path": "压缩包内文件路径不安全(绝对路径或含“..”),已拒绝处理",
    "nested_archive": "压缩包内嵌套的压缩包不予展开,请解压后重新提交",
    "too_many_files": "压缩包内文件过多,超出允许的数量,其余文件未处理",
    "symlink": "符号链接不予处理",
    "duplicate_path": "压缩包内已有同一路径的文件,此为重复出现的同名文件,未入库(原件已保存);请改名后单独提交",
}
DUPLICATE_MARK = "#"  # "表.docx#2": the second member of an archive under the path "表.docx"


@dataclass(frozen=True, slots=True)
class Found:
    """One file of a batch: its bytes, or why it was refused before parsing."""

    path: str  # relative to the batch root, posix separators, archive members after ARCHIVE_SEP
    folders: tuple[str, ...]  # folder names from the root down to the file, archive folders included
    data: bytes | None = None
    error_code: str | None = None
    modified: datetime | None = None  # the file's modification time (a zip member's entry time)

    @property
    def filename(self) -> str:
        return filename_of(self.path)

    @property
    def error_message(self) -> str | None:
        if self.error_code is None:
            return None
        return REFUSALS.get(self.error_code) or MESSAGES[self.error_code]


def filename_of(path: str) -> str:
    """The file's own name from a batch path, inside an archive or not."""
    return PurePosixPath(path.replace(ARCHIVE_SEP, "/")).name


def is_junk(name: str) -> bool:
    """Office lock files, hidden files and OS droppings are skipped silently."""
    return name.startswith((".", "~$")) or name.lower() in JUNK_NAMES


def discover(root: Path, *, max_file_bytes: int) -> Iterator[Found]:
    """Every file under `root`, recursively, zip members included, in a stable order."""
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not is_junk(d))
        rel_dir = Path(dirpath).relative_to(root)
        folders = rel_dir.parts
        for name in sorted(filenames):
            if is_junk(name):
                continue
            full = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            yield from _one_file(full, rel, folders, max_file_bytes)


def discover_archive(data: bytes, name: str, *, max_file_bytes: int) -> Iterator[Found]:
    """The members of one uploaded archive (the web page's .zip upload)."""
    yield from _archive(io.BytesIO(data), name, (), max_file_bytes)


def _one_file(full: Path, rel: str, folders: tuple[str, ...], max_file_bytes: int) -> Iterator[Found]:
    if full.is_symlink():
        yield Found(rel, folders, error_code="symlink")
        return
    suffix = full.suffix.lower()
    if suffix not in FORM_SUFFIXES and suffix != ARCHIVE_SUFFIX:
        yield Found(rel, folders, error_code="unsupported_format")
        return
    size = full.stat().st_size
    limit = MAX_ARCHIVE_BYTES if suffix == ARCHIVE_SUFFIX else max_file_bytes
    if size > limit:
        yield Found(rel, folders, error_code="too_large")
        return
    if suffix == ARCHIVE_SUFFIX:  # read from disk member by member, never whole into memory
        yield from _archive(full, rel, folders, max_file_bytes)
        return
    data = full.read_bytes()
    if not data:
        yield Found(rel, folders, error_code="empty_file")
    else:
        yield Found(rel, folders, data=data, modified=file_time(full))


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: archives made on Chinese Windows store GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name.replace("\\", "/")


def safe_parts(name: str) -> tuple[str, ...] | None:
    """The member path's parts, or None when it is absolute or climbs out with '..'."""
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if not parts or ".." in parts:
        return None
    return parts


def _archive(
    source: Path | io.BytesIO, rel: str, folders: tuple[str, ...], max_file_bytes: int
) -> Iterator[Found]:
    try:
        archive = zipfile.ZipFile(source)
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        yield Found(rel, folders, error_code="corrupt_file")
        return
    with archive:
        yield from _members(archive, infos, rel, folders, max_file_bytes)


def _members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], rel: str, folders: tuple[str, ...], max_file_bytes: int
) -> Iterator[Found]:
    total = 0
    seen: set[str] = set()  # the member paths yielded so far
    for index, info in enumerate(infos):
        name = member_name(info)
        path = f"{rel}{ARCHIVE_SEP}{name}"
        if index >= MAX_ARCHIVE_MEMBERS:
            yield Found(f"{rel}{ARCHIVE_SEP}", folders, error_code="too_many_files")
            return
        repeated = path in seen  # kept and reported, never dropped: the first of the name is the one read
        path = _unique(path, seen)
        parts = safe_parts(name)
        if parts is None:
            yield Found(path, folders, error_code="unsafe_path")
            continue
        if any(is_junk(p) for p in parts):
            continue
        member_folders = folders + parts[:-1]
        refusal = _member_refusal(info, parts[-1], max_file_bytes)
        if refusal:
            yield Found(path, member_folders, error_code=refusal)
            continue
        try:
            with archive.open(info) as fh:
                content = fh.read(max_file_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            yield Found(path, member_folders, error_code="corrupt_file")
            continue
        total += len(content)
        if len(content) > max_file_bytes or total > MAX_ARCHIVE_BYTES:
            yield Found(path, member_folders, error_code="too_large")
            continue
        if not content:
            yield Found(path, member_folders, error_code="empty_file")
        else:
            yield Found(path, member_folders, data=content, modified=_entry_time(info),
                        error_code="duplicate_path" if repeated else None)


def _unique(path: str, seen: set[str]) -> str:
    """`path`, or "path#2", "path#3"… for a path the archive already held; remembered in `seen`."""
    unique, n = path, 1
    while unique in seen:
        n += 1
        unique = f"{path}{DUPLICATE_MARK}{n}"
    seen.add(unique)
    return unique


def _entry_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time)
    except ValueError:  # a zeroed or garbled date field
        return None


def _member_refusal(info: zipfile.ZipInfo, name: str, max_file_bytes: int) -> str | None:
    """Refuse a member from its header alone, before reading a byte of it."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ARCHIVE_SUFFIX:
        return "nested_archive"
    if suffix not in FORM_SUFFIXES:
        return "unsupported_format"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.file_size > max_file_bytes:
        return "too_large"
    if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
        return "zip_bomb"
    return None
