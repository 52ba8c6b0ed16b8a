"""Builders for scanned-form fixtures: forms drawn as page images, then degraded.

A form is drawn at 200 dpi the way a printed and scanned 排查表 looks (title, header
lines, a ruled table, notes), or built as .docx and rendered through real LibreOffice
and pdftoppm. The degradations are the ones real scans carry: skew, blur, noise, a red
seal over the table, pages fed in sideways or upside down.
"""

from __future__ import annotations

import io
import math
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DPI = 200
BODY_PX = 29  # 10.5 pt at 200 dpi
TITLE_PX = 44
PAD = 12


@dataclass
class DrawnForm:
    """A form to draw. `cells` rows include the header rows; `merges` are (row, col, rowspan, colspan)."""

    title: str
    header: list[str]
    cells: list[list[str]]
    widths: list[float]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    landscape: bool = True
    open_sides: bool = False  # no outer left/right border, as many Word tables are styled
    three_line: bool = False  # 三线表: rules above and below the header and under the table only
    body_px: int = BODY_PX  # text size in pixels at 200 dpi


# The typical 科室 form (5 risk points, 高/中/低, numbered measures), used by tests and bench/ocr_bench.py.
STANDARD = DrawnForm(
    title="财政局预算股廉政风险点排查登记表",
    header=["填报单位:某某县财政局        科室:预算股        填表日期:2024年3月5日"],
    cells=[
        ["序号", "岗位", "风险点", "风险等级", "防控措施", "责任人"],
        ["1", "股长", "预算编制审核不严，违规调整预算指标", "高", "1、严格执行预算编制程序；2、实行集体审核制度", "张明"],
        ["2", "股长", "对下属单位资金拨付把关不严", "中", "1、建立拨付台账；2、定期开展专项检查", "张明"],
        ["3", "科员", "利用职务之便泄露预算信息", "低", "签订保密承诺书，加强保密教育", "李华"],
        ["4", "科员", "收受服务对象礼品礼金", "中", "1、开展警示教育；2、实行廉政承诺", "李华"],
        ["5", "出纳", "挪用公款或截留资金", "高", "1、实行钱账分管；2、每月对账并报分管领导审核", "王强"],
    ],
    widths=[0.6, 1.1, 3, 1, 3.6, 1],
    notes=["注:风险等级分为高、中、低三级。"],
)


def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, px)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text into lines that fit `width`, keeping explicit line breaks."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and font.getlength(line + ch) > width:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def draw_form(form: DrawnForm) -> Image.Image:
    """Render the form on a white A4 page at 200 dpi."""
    size = (2339, 1654) if form.landscape else (1654, 2339)
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    body, title = _font(form.body_px), _font(TITLE_PX)
    margin = 140
    y = 120
    tw = draw.textlength(form.title, font=title)
    draw.text(((size[0] - tw) / 2, y), form.title, font=title, fill="black")
    y += TITLE_PX + 40
    for line in form.header:
        draw.text((margin, y), line, font=body, fill="black")
        y += form.body_px + 20
    y += 10

    table_w = size[0] - 2 * margin
    total = sum(form.widths)
    xs = [margin]
    for w in form.widths:
        xs.append(xs[-1] + round(table_w * w / total))
    n_rows, n_cols = len(form.cells), len(form.widths)
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r, c, rs, cs in form.merges:
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                covered[(rr, cc)] = (r, c, rs, cs)

    def span(r: int, c: int) -> tuple[int, int, int, int]:
        return covered.get((r, c), (r, c, 1, 1))

    # Row heights from the wrapped text of single-row cells; merged cells share their rows.
    line_h = form.body_px + 8
    heights = []
    for r in range(n_rows):
        need = 1
        for c in range(n_cols):
            r0, c0, rs, cs = span(r, c)
            if (r0, c0) == (r, c) and rs == 1:
                need = max(need, len(_wrap(form.cells[r][c], body, xs[c + cs] - xs[c] - 2 * PAD)))
        heights.append(need * line_h + 2 * PAD)
    ys = [y]
    for h in heights:
        ys.append(ys[-1] + h)

    for r in range(n_rows):
        for c in range(n_cols):
            r0, c0, rs, cs = span(r, c)
            if (r0, c0) != (r, c):
                continue
            x0, x1, y0, y1 = xs[c], xs[c + cs], ys[r], ys[r + rs]
            if not form.three_line:
                draw.line((x0, y0, x1, y0), fill="black", width=3)
                draw.line((x0, y1, x1, y1), fill="black", width=3)
                if c > 0 or not form.open_sides:
                    draw.line((x0, y0, x0, y1), fill="black", width=3)
                if c + cs < n_cols or not form.open_sides:
                    draw.line((x1, y0, x1, y1), fill="black", width=3)
            lines = _wrap(form.cells[r][c], body, x1 - x0 - 2 * PAD)
            ty = y0 + (y1 - y0 - len(lines) * line_h) / 2 + 4
            for line in lines:
                tx = x0 + PAD if len(lines) > 1 or c == n_cols - 1 else x0 + (x1 - x0 - body.getlength(line)) / 2
                draw.text((max(tx, x0 + PAD), ty), line, font=body, fill="black")
                ty += line_h
    if form.three_line and n_rows:
        header_rows = 1 + max((rs - 1 for r, _, rs, _ in form.merges if r == 0), default=0)
        for y_rule, thick in ((ys[0], 5), (ys[header_rows], 2), (ys[-1], 5)):
            draw.line((xs[0], y_rule, xs[-1], y_rule), fill="black", width=thick)
    y = ys[-1] + 30
    for note in form.notes:
        draw.text((margin, y), note, font=body, fill="black")
        y += form.body_px + 20
    return page


def skew(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor="white")


def turn(img: Image.Image, degrees: int) -> Image.Image:
    """A page fed into the scanner sideways (90/270) or upside down (180)."""
    return img.rotate(degrees, expand=True)


def blur(img: Image.Image, radius: float = 1.2) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def noise(img: Image.Image, amount: float = 0.02, seed: int = 7) -> Image.Image:
    """Salt-and-pepper specks on a fraction of the pixels, as a dusty scanner leaves."""
    out = img.copy()
    px = out.load()
    rnd = random.Random(seed)
    w, h = out.size
    for _ in range(int(w * h * amount)):
        v = rnd.choice((0, 255))
        px[rnd.randrange(w), rnd.randrange(h)] = (v, v, v)
    return out


def seal(img: Image.Image, center: tuple[int, int], radius: int = 170, text: str = "中共某某县纪委") -> Image.Image:
    """Stamp a red seal: ring, star and arc text, multiplied over what is below like ink."""
    layer = Image.new("RGB", img.size, "white")
    draw = ImageDraw.Draw(layer)
    red = (220, 30, 40)
    cx, cy = center
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=10)
    star = [
        (cx + (45 if k % 2 == 0 else 18) * math.cos(math.radians(-90 + 36 * k)),
         cy + (45 if k % 2 == 0 else 18) * math.sin(math.radians(-90 + 36 * k)))
        for k in range(10)
    ]
    draw.polygon(star, fill=red)
    font = _font(40)
    n = len(text)
    for i, ch in enumerate(text):
        angle = math.radians(-150 + 120 * i / max(n - 1, 1))
        x = cx + (radius - 50) * math.cos(angle) - 20
        y = cy + (radius - 50) * math.sin(angle) - 20
        draw.text((x, y), ch, font=font, fill=red)
    draw.text((cx - 80, cy + 60), "专用章", font=font, fill=red)
    return ImageChops.multiply(img, layer)


def photo(img: Image.Image, scale: float = 0.8) -> Image.Image:
    """A phone photo of the page: smaller, lying on a dark desk, slightly soft."""
    page = img.resize((round(img.width * scale), round(img.height * scale)))
    shot = Image.new("RGB", (img.width, round(img.height * 1.1)), (60, 55, 50))
    shot.paste(page, ((shot.width - page.width) // 2, (shot.height - page.height) // 2))
    return shot.filter(ImageFilter.GaussianBlur(1.0))


# A 科室 form with ten risk points, as a unit fills it in Word (service.demo.make_form_docx).
PHONE_FORM = {
    "title": "城建局工程科廉政风险点排查登记表", "unit": "某某县住房和城乡建设局", "department": "工程科",
    "filled_on": "2024-04-12",
    "rows": [
        {"position": position, "risk": risk, "category": category, "level": level, "measures": measures, "owner": owner}
        for position, risk, category, level, measures, owner in [
            ("科长", "工程招标中泄露标底信息", "业务流程", "高", ["标底专人保管", "开标全程录像"], "周平"),
            ("科长", "违规变更工程设计增加造价", "岗位职责", "高", ["变更集体研究", "造价第三方审核"], "周平"),
            ("副科长", "工程验收走过场", "业务流程", "中", ["验收双人到场", "抽查验收资料"], "吴军"),
            ("副科长", "接受施工单位宴请", "思想道德", "中", ["签订廉洁承诺书"], "吴军"),
            ("监理员", "隐蔽工程未到场监督", "岗位职责", "中", ["留存影像资料", "随机复查"], "郑伟"),
            ("监理员", "虚报工程量", "业务流程", "高", ["工程量双人核算", "结算公开"], "郑伟"),
            ("资料员", "篡改工程档案", "制度机制", "低", ["档案借阅登记"], "冯丽"),
            ("资料员", "泄露投标人名单", "岗位职责", "低", ["名单密封保管", "违规追责"], "冯丽"),
            ("出纳", "工程款拨付不按进度", "制度机制", "中", ["按进度审核拨付"], "陈静"),
            ("出纳", "私存私放工程保证金", "思想道德", "高", ["保证金专户管理", "每月对账"], "陈静"),
        ]
    ],
}


def a4_scan(pdf: bytes, dpi: int = 300) -> Image.Image:
    """The first page of a printed form scanned at `dpi` (300: 3508×2481 px for landscape A4)."""
    return pdf_to_images(pdf, dpi)[0]


def phone_shot(page: Image.Image, size: tuple[int, int] = (4000, 3000), seed: int = 3) -> Image.Image:
    """A 12-megapixel phone photo of a printed page: the sheet lies on a wooden desk, seen from
    an angle (a trapezoid, turned a few degrees), lit from one side, slightly soft.

    The page fills about two thirds of the frame, as when a person photographs a form to
    send it; each corner moves by up to 4% of the frame.
    """
    import cv2
    import numpy as np

    rnd = random.Random(seed)
    w, h = size
    src = np.asarray(page.convert("RGB"))[:, :, ::-1]
    ph, pw = src.shape[:2]
    fit = 0.78 * min(w / pw, h / ph)
    cw, ch = pw * fit, ph * fit
    x0, y0 = (w - cw) / 2, (h - ch) / 2
    jitter = [(rnd.uniform(-0.04, 0.04) * w, rnd.uniform(-0.04, 0.04) * h) for _ in range(4)]
    far = 0.06 * cw  # the top edge is further from the camera: shorter
    corners = [(x0 + far, y0), (x0 + cw - far, y0), (x0 + cw, y0 + ch), (x0, y0 + ch)]
    quad = np.float32([(x + dx, y + dy) for (x, y), (dx, dy) in zip(corners, jitter, strict=True)])
    matrix = cv2.getPerspectiveTransform(np.float32([(0, 0), (pw, 0), (pw, ph), (0, ph)]), quad)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = 12 * np.sin(xx / 23.0 + 3 * np.sin(yy / 150.0))  # wood grain along the desk
    desk = np.dstack([45 + grain, 75 + grain, 115 + grain])  # BGR brown
    shot = cv2.warpPerspective(src, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (w, h)) > 127
    out = np.where(mask[:, :, None], shot.astype(np.float32), desk.astype(np.float32))
    light = 0.62 + 0.43 * (xx / w) ** 0.8 - 0.08 * (yy / h)  # window on the right: the left side is dim
    out = np.clip(out * light[:, :, None], 0, 255).astype(np.uint8)
    out = cv2.GaussianBlur(out, (0, 0), 1.1)
    return Image.fromarray(out[:, :, ::-1])


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def jpeg(img: Image.Image, quality: int = 80) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def tiff(pages: list[Image.Image]) -> bytes:
    """A multi-page black-and-white TIFF (CCITT G4), as office scanners write a stack of pages."""
    buf = io.BytesIO()
    first, *rest = [p.convert("1") for p in pages]
    first.save(buf, "TIFF", save_all=True, append_images=rest, compression="group4", dpi=(DPI, DPI))
    return buf.getvalue()


def image_pdf(pages: list[Image.Image]) -> bytes:
    """An image-only PDF, one scanned page per image, as a scanner writes it."""
    buf = io.BytesIO()
    first, *rest = [p.convert("RGB") for p in pages]
    first.save(buf, "PDF", resolution=DPI, save_all=True, append_images=rest)
    return buf.getvalue()


def docx_to_pdf(docx: bytes) -> bytes:
    """Print a .docx the way a unit does: real LibreOffice, a text PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "form.docx"
        src.write_bytes(docx)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=120,
        )
        return (Path(tmp) / "form.pdf").read_bytes()


def pdf_to_images(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Scan a printed PDF: pdftoppm at `dpi` (200 by default), one image per page."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(Path(tmp) / "in.pdf"), str(Path(tmp) / "page")],
            check=True, capture_output=True, timeout=120,
        )
        return [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("page*.png"))]


def merge_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of all pages of `parts`, in order (a text page next to scanned ones)."""
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    for part in parts:
        merged.import_pages(pdfium.PdfDocument(part))
    buf = io.BytesIO()
    merged.save(buf)
    return buf.getvalue()
