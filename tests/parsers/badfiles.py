"""Builders for the files the I/O and safety tests feed the parsers: real forms made with
python-docx/openpyxl (converted by real LibreOffice where a legacy or PDF file is needed),
hostile containers, and PDFs drawn by hand where a property (doubled glyphs, Kangxi radicals,
undecodable glyphs, rules without text) must be exact.
"""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import olefile
import openpyxl
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from parsers.legacy import soffice_path

HEADER = ["序号", "岗位", "廉政风险点", "风险等级", "防控措施", "责任人"]


def form_rows(n: int, *, measure_chars: int = 20) -> list[list[str]]:
    """n risk rows; measure text of about `measure_chars` characters, numbered so rows differ."""
    rows = []
    for i in range(1, n + 1):
        measure = f"第{i}项措施:" + "严格执行审批登记制度并定期公开结果" * (measure_chars // 17 + 1)
        rows.append(
            [str(i), "科员", f"第{i}项风险:审批把关不严", "高中低"[i % 3], measure[:measure_chars], "张三"]
        )
    return rows


def form_docx(
    rows: list[list[str]],
    *,
    header: list[str] = HEADER,
    repeat_header: bool = True,
    three_line: bool = False,
    open_sides: bool = False,
) -> bytes:
    document = docx.Document()
    document.add_paragraph("科室廉政风险防控排查表")
    document.add_paragraph("填报单位:某某局    科室:办公室    填表日期:2024年3月5日")
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    if open_sides:  # inner and top/bottom rules only, as many 公文 attachments are ruled
        _table_borders(table, ("top", "bottom", "insideH", "insideV"))
    elif not three_line:
        table.style = "Table Grid"
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value  # "\n" in a value is a line break inside the cell
    if repeat_header:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    if three_line:
        _three_line_borders(table)
    document.add_paragraph("填表人:张三    审核人:李四")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _three_line_borders(table) -> None:
    """Only a rule above the table, one under the header row and one below the table."""
    _table_borders(table, ("top", "bottom"))
    for cell in table.rows[0].cells:
        tc_borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        bottom.set(qn("w:val"), "single")
        bottom.set(qn("w:sz"), "8")
        tc_borders.append(bottom)
        cell._tc.get_or_add_tcPr().append(tc_borders)


def _table_borders(table, sides: tuple[str, ...]) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "8")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def form_xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "办公室"
    sheet.append(["科室廉政风险防控排查表"])
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def word_2003_xml(rows: list[list[str]]) -> bytes:
    """A form saved by Word 2003 as "XML document" (WordprocessingML), often renamed .doc."""

    def cell(text: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="1500" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'

    body = "".join("<w:tr>" + "".join(cell(v) for v in row) + "</w:tr>" for row in [HEADER, *rows])
    grid = '<w:gridCol w:w="1500"/>' * len(HEADER)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Word.Document"?>\n'
        '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body>'
        "<w:p><w:r><w:t>科室廉政风险防控排查表</w:t></w:r></w:p>"
        f'<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>'
        "</w:body></w:wordDocument>"
    ).encode()


LEGACY_ROWS = form_rows(3)


@functools.cache
def legacy_form(fmt: str) -> bytes:
    """The LEGACY_ROWS form as a real Word 97 .doc or Excel 97 .xls (made once per test run:
    a LibreOffice conversion costs a second or more)."""
    build, modern = (form_docx, "docx") if fmt == "doc" else (form_xlsx, "xlsx")
    return converted(build(LEGACY_ROWS), modern, fmt)


def converted(data: bytes, source_ext: str, target: str) -> bytes:
    """`data` converted by real LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"in.{source_ext}"
        source.write_bytes(data)
        subprocess.run(
            [
                soffice_path(),
                f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(tmp) / f"in.{target}").read_bytes()


# ---- hostile containers ------------------------------------------------------------------


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of an OOXML package with parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def zip_bomb(megabytes: int = 300) -> bytes:
    """A docx-shaped zip with one part of `megabytes` of zeros (a few hundred kB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
    return out.getvalue()


def many_entries_zip(count: int = 6000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(count):
            archive.writestr(f"word/media/{i}.xml", "")
    return out.getvalue()


XXE_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
)


def macro_docm(data: bytes) -> bytes:
    """A docx turned into a macro-enabled document: vbaProject.bin and the docm content type."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return rezip(
        data, replace={"[Content_Types].xml": types}, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )


def encrypted_office(data: bytes, password: str = "secret") -> bytes:
    """An OOXML file encrypted with a password (an OLE container with EncryptedPackage)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def password_protected_doc(doc: bytes) -> bytes:
    """A Word 97 file flagged as encrypted (FIB fEncrypted), as Word writes one with a password."""
    with tempfile.NamedTemporaryFile(suffix=".doc") as file:
        file.write(doc)
        file.flush()
        ole = olefile.OleFileIO(file.name, write_mode=True)
        stream = bytearray(ole.openstream("WordDocument").read())
        (flags,) = struct.unpack_from("<H", stream, 0x0A)
        struct.pack_into("<H", stream, 0x0A, flags | 0x0100)
        ole.write_stream("WordDocument", bytes(stream))
        ole.close()
        return Path(file.name).read_bytes()


def encrypted_pdf(data: bytes, password: str = "secret", *, owner_only: bool = False) -> bytes:
    """A password-protected PDF; `owner_only`: only an owner password, so it opens without one."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="" if owner_only else password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---- hand-drawn PDFs -----------------------------------------------------------------------


def drawn_pdf(pages: list[dict], *, to_unicode: bool = True) -> bytes:
    """A PDF whose pages hold exactly the given text runs, rules and images.

    Each page: {"text": [(x, y, size, str)], "rules": [(x0, y0, x1, y1)], "image": bool or box,
    "symbols": [(x, y, size, str, font name)]} — symbols drawn in a font of that name
    (y from the top of an A4 page). Glyphs use a Type0 font, one CID per character,
    mapped back to Unicode by a ToUnicode CMap — without it every glyph reads as (cid:N).
    """
    runs = [(*run, "SimSun") for page in pages for run in page.get("text", [])]
    runs += [run for page in pages for run in page.get("symbols", [])]
    chars = sorted({ch for *_, text, _font in runs for ch in text})
    fonts = sorted({font for *_, font in runs}) or ["SimSun"]
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    height = 842
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    cmap_lines = b"".join(b"<%04X> <%s>\n" % (cid[ch], ch.encode("utf-16-be").hex().encode()) for ch in chars)
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /L def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + b"%d beginbfchar\n" % len(chars)
        + cmap_lines
        + b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    cmap_id = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
    font_ids = {}
    for name in fonts:
        descriptor = add(
            b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0"
            b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>" % name.encode()
        )
        descendant = add(
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /DW 1000 /FontDescriptor %d 0 R"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
            % (name.encode(), descriptor)
        )
        font_ids[name] = add(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R]%s >>"
            % (name.encode(), descendant, b" /ToUnicode %d 0 R" % cmap_id if to_unicode else b"")
        )
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
    )
    font_resources = b" ".join(b"/F%d %d 0 R" % (i, font_ids[name]) for i, name in enumerate(fonts))
    page_ids = []
    pages_id = len(objects) + 2 * len(pages) + 1
    for page in pages:
        ops = []
        for x0, y0, x1, y1 in page.get("rules", []):
            ops.append(b"0.8 w %.2f %.2f m %.2f %.2f l S" % (x0, height - y0, x1, height - y1))
        for x, y, size, text, font in [(*run, "SimSun") for run in page.get("text", [])] + page.get(
            "symbols", []
        ):
            codes = b"".join(b"%04X" % cid[ch] for ch in text)
            tag = b"F%d" % fonts.index(font)
            ops.append(b"BT /%s %.1f Tf %.2f %.2f Td <%s> Tj ET" % (tag, size, x, height - y - size, codes))
        if page.get("image"):  # True: most of the page; else (x0, top, x1, bottom) from the page's top
            x0, top, x1, bottom = (40, 72, 540, 772) if page["image"] is True else page["image"]
            ops.append(b"q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q" % (x1 - x0, bottom - top, x0, height - bottom))
        content = b"\n".join(ops)
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
                b" /Resources << /Font << %s >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_id, stream, font_resources, image)
            )
        )
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    if add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))) != pages_id:
        raise AssertionError("page tree object number miscounted")
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def grid_rules(x: float, y: float, widths: list[float], heights: list[float]) -> list[tuple]:
    """The rules of a fully ruled table with its top-left corner at (x, y)."""
    xs = [x + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [y + sum(heights[:i]) for i in range(len(heights) + 1)]
    return [(xs[0], top, xs[-1], top) for top in ys] + [(left, ys[0], left, ys[-1]) for left in xs]
