"""PDF through headless LibreOffice, and which of the fonts a document names this machine lacks.

A missing font is a warning, not a failure: LibreOffice substitutes one (the font table's
w:altName fallbacks help), but the person printing should know the PDF is not exact.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from lxml import etree

from parsers.legacy import soffice_path
from service.documents import converter
from service.documents.errors import DocumentError

TIMEOUT_S = converter.TIMEOUT_S
CONDENSE_TWENTIETHS = -5  # -0.25 pt between characters
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FONT_ATTRS = tuple(f"{_W}{a}" for a in ("eastAsia", "ascii", "hAnsi"))


@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str]:
    """Family names fontconfig knows (every localized name of each family)."""
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def fonts_named(docx_path: Path) -> set[str]:
    """Fonts the text asks for: set on runs, or in the styles the text uses (and their bases)."""
    with zipfile.ZipFile(docx_path) as z:
        document = etree.fromstring(z.read("word/document.xml"))
        styles = etree.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in z.namelist() else None
    holders = list(document.iter(f"{_W}rFonts"))
    if styles is not None:
        by_id = {s.get(f"{_W}styleId"): s for s in styles.iter(f"{_W}style")}
        wanted = {el.get(f"{_W}val") for tag in ("pStyle", "rStyle", "tblStyle") for el in document.iter(f"{_W}{tag}")}
        wanted |= {s.get(f"{_W}styleId") for s in by_id.values() if s.get(f"{_W}default") == "1"}
        seen: set[str] = set()
        while wanted - seen:
            style_id = (wanted - seen).pop()
            seen.add(style_id)
            style = by_id.get(style_id)
            if style is None:
                continue
            holders.extend(style.iter(f"{_W}rFonts"))
            based = style.find(f"{_W}basedOn")
            if based is not None:
                wanted.add(based.get(f"{_W}val"))
        defaults = styles.find(f"{_W}docDefaults")
        if defaults is not None:
            holders.extend(defaults.iter(f"{_W}rFonts"))
    return {v for el in holders for a in _FONT_ATTRS if (v := el.get(a))}


def missing_fonts(docx_path: Path) -> list[str]:
    fonts = installed_fonts()
    return sorted(n for n in fonts_named(docx_path) if n not in fonts)


def for_libreoffice(docx: bytes) -> bytes:
    """The same .docx laid out by LibreOffice as Word lays out the original: 28 characters a line.

    LibreOffice gives every 16 pt character two cells of a 15.8 pt character grid (Word
    compresses it to one), which spreads the text out; so the grid keeps its lines only and
    characters are drawn 0.25 pt closer (w:spacing in the document defaults) instead: 28 of
    them fit the 156 mm line, 29 do not."""
    src, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b'w:type="linesAndChars"', b'w:type="lines"')
            elif item.filename == "word/styles.xml":
                data = _condensed(data)
            dst.writestr(item, data)
    return out.getvalue()


def _condensed(styles_xml: bytes) -> bytes:
    root = etree.fromstring(styles_xml)
    rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    if rpr is None:
        return styles_xml
    spacing = rpr.find(f"{_W}spacing")
    if spacing is None:
        spacing = etree.SubElement(rpr, f"{_W}spacing")
    spacing.set(f"{_W}val", str(CONDENSE_TWENTIETHS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def require(suffix: str) -> str:
    """The soffice to convert a `suffix` file with; DocumentError when that cannot be done here."""
    if suffix not in (".docx", ".xlsx"):
        raise DocumentError("pdf_unsupported", f"{suffix} 文件不能转换为 PDF(只支持单个 .docx 与 .xlsx)")
    soffice = soffice_path()
    if soffice is None:
        raise DocumentError("libreoffice_missing", "转换 PDF 需要安装 LibreOffice,请联系管理员")
    return soffice


def pdf_bytes(data: bytes, suffix: str, *, timeout: float = TIMEOUT_S) -> bytes:
    """The PDF of a .docx/.xlsx given as bytes (warm converter, cold fallback)."""
    require(suffix)
    with tempfile.TemporaryDirectory(prefix="lianfang-pdf-") as tmp:
        source = Path(tmp, f"document{suffix}")
        source.write_bytes(for_libreoffice(data) if suffix == ".docx" else data)
        target = Path(tmp, "document.pdf")
        converter.to_pdf(source, target, timeout=timeout)
        if not target.is_file() or target.stat().st_size == 0:
            raise DocumentError("conversion_failed", "转换 PDF 失败")
        return target.read_bytes()


def substitutes_warning(path: Path) -> list[str]:
    """A warning naming the official fonts this machine lacks (the fontconfig file stands in)."""
    if path.suffix == ".docx" and (missing := missing_fonts(path)):
        return [f"本机缺少字体 {'、'.join(missing)},PDF 中已按字体映射用替代字体显示"]
    return []


def convert(path: Path, *, timeout: float = TIMEOUT_S) -> tuple[Path, list[str]]:
    """Write PATH.pdf beside `path`; return it with warnings about substituted fonts."""
    target = path.with_suffix(".pdf")
    target.write_bytes(pdf_bytes(path.read_bytes(), path.suffix, timeout=timeout))
    return target, substitutes_warning(path)
