"""Generated risk forms with their truth: the harness behind "no risk point lost or misfiled".

`generate(seed)` draws a form from known entries, with the traps offices' forms really
have (random column order and header synonyms, merged 岗位 cells, one- or two-row headers,
phase columns or phase prefixes inside the cell, measures that say 审核/签字/盖章/备案,
header and signature lines, legends, notes, long cells, several tables, blank level or type
cells, 领导班子 事项 columns, 职权目录), and writes it as .docx, .xlsx or (through
LibreOffice, `pdfs`) a text PDF. `compare(parsed, form)` lists where the parse differs from
the truth. `make_docx(seed)` is the short form for other harnesses (OCR renders it); `xls_files` makes
Excel 97 files of them (LibreOffice), read natively by `parsers.xls`.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from parsers.model import ParsedForm
from parsers.text import key

TRAPS = (
    "column_order", "synonyms", "merged_position", "two_row_header", "tick_levels", "phase_columns",
    "phase_prefixes", "review_words", "header_lines", "signature_line", "signature_row", "legend", "note_row",
    "long_cells", "several_tables", "blank_level", "blank_category", "header_repeat", "total_row",
    "leadership", "power_list", "numbered_measures", "three_line",
)

SYNONYMS = {  # header wording offices use, the first the plainest
    "seq": ("序号", "编号"),
    "department": ("科室", "部门", "所在科室"),
    "position": ("岗位", "岗位名称", "风险岗位"),
    "person": ("姓名", "岗位人员"),
    "duty": ("职权事项", "岗位职责", "工作环节", "权力事项"),
    "risk": ("风险点", "廉政风险点", "风险点描述", "主要风险点", "风险内容"),
    "category": ("风险类型", "风险类别", "类型"),
    "level": ("风险等级", "等级", "风险级别"),
    "measures": ("防控措施", "防范措施", "风险防控措施", "措施"),
    "owner": ("责任人", "防控责任人"),
    "deadline": ("完成时限", "时限", "完成时间"),
}
ORDER = ("seq", "department", "position", "person", "duty", "risk", "category", "level", "measures", "owner",
         "deadline")
DEPARTMENTS = ("办公室", "财务科", "人事科", "审批科", "执法大队", "规划股", "信息中心", "政策法规科")
POSITIONS = ("科长", "副科长", "会计", "出纳", "审批员", "执法员", "采购员", "档案管理员", "驾驶员", "办事员")
PERSONS = ("张伟", "李娜", "王强", "赵敏", "孙磊", "周婷", "吴刚", "郑洁", "冯涛", "陈静")
DUTIES = ("报销审核", "现金管理", "行政许可审批", "执法检查", "政府采购", "人员招录", "档案管理", "车辆管理",
          "项目验收", "资金拨付")
ACTS = ("利用职务便利为亲友谋取利益", "违规收受服务对象礼品礼金", "擅自降低标准办理", "未按规定程序办理",
        "泄露工作秘密", "优亲厚友、暗箱操作", "虚报冒领、套取资金", "推诿拖延、吃拿卡要", "选择性执法",
        "违规变更合同内容")
TAILS = ("造成国有资产流失", "损害群众利益", "影响机关形象", "导致决策失误", "引发信访投诉")
MEASURES = ("严格执行《会计法》和财务管理制度", "实行集体研究决策", "建立工作台账,定期公开办理结果",
            "每季度开展一次自查", "落实首问负责制和限时办结制", "开展廉政警示教育", "推行网上办理,全程留痕",
            "加强对重点环节的跟踪检查", "对违规行为依纪依规严肃追责", "实行岗位定期轮换")
REVIEW_MEASURES = ("经办、审核、审批三岗分设", "由科室负责人签字后报批", "加盖公章后存档备查",
                   "重大事项报分管领导审批", "合同签订前须经法律顾问审核", "采购结果报纪检组备案",
                   "审核人与经办人不得为同一人", "支出凭证须经办人、审核人签字")
CATEGORIES = (("思想道德", ("思想道德", "思想道德风险", "思想道德类")), ("岗位职责", ("岗位职责", "岗位职责风险")),
              ("业务流程", ("业务流程", "业务流程风险")), ("制度机制", ("制度机制", "制度机制风险")),
              ("外部环境", ("外部环境", "外部环境风险")))
LEVELS = {  # scheme -> labels for high, medium, low
    "gzd": ("高", "中", "低"), "yiji": ("一级", "二级", "三级"), "sanji": ("三级", "二级", "一级"),
    "abc": ("A", "B", "C"), "stars": ("★★★", "★★", "★"),
}
LEGENDS = {"yiji": "注:风险等级分为一级、二级、三级,一级为最高。", "sanji": "注:风险等级分为三级,三级为最高,一级为最低。"}
PHASE_WORDS = (("前期预防", "事前预防", "前期防范"), ("中期监控", "事中监控", "中期监督"), ("后期处置", "事后处置", "后期处理"))
PHASES = ("前期预防", "中期监控", "后期处置")
MATTERS = ("重大事项决策", "重要人事任免", "重大项目安排", "大额资金使用")
POWERS = (("行政许可", "对申请事项进行审查并作出许可决定", "《中华人民共和国行政许可法》"),
          ("行政处罚", "对违法行为依法给予处罚", "《中华人民共和国行政处罚法》"),
          ("行政检查", "对管理对象进行监督检查", "《行政执法监督条例》"),
          ("资金拨付", "审核拨付专项资金", "《预算法》"), ("行政征收", "依法征收相关费用", "《行政收费管理办法》"))


@dataclass
class GCell:
    text: str = ""
    span: int = 1
    vmerge: str | None = None  # "restart" / "continue"


@dataclass
class Table:
    rows: list[list[GCell]]
    data_rows: int = 0  # rows holding an entry
    header_rows: int = 1
    three_line: bool = False  # rules only above and below the header and at the foot (三线表)
    centred: bool = False  # cell text centred vertically


@dataclass
class Form:
    seed: int
    traps: set[str] = field(default_factory=set)
    blocks: list[str | Table] = field(default_factory=list)  # paragraphs and tables in order
    entries: list[dict] = field(default_factory=list)
    powers: list[dict] = field(default_factory=list)
    kind: str = "risk_register"
    sheets: list[tuple[str, list[str | Table]]] | None = None  # xlsx: one sheet per table when set


# ---------------------------------------------------------------- drawing the truth

def _risk(rnd: random.Random, long: bool) -> str:
    text = f"在{rnd.choice(DUTIES)}中{rnd.choice(ACTS)}"
    if long:
        text += "," + ",".join(rnd.sample(TAILS, 3)) + ",且长期未被发现,在单位内部形成不良风气,群众反映强烈"
    return text


def _measures(rnd: random.Random, form: Form, phased: bool) -> list[tuple[str | None, str]]:
    pool = list(MEASURES)
    if "review_words" in form.traps:
        pool += REVIEW_MEASURES * 2
    if phased:
        return [(PHASES[i], m) for i, m in enumerate(rnd.sample(pool, 3))]
    return [(None, m) for m in rnd.sample(pool, rnd.randint(1, 3))]


def _entry(rnd: random.Random, form: Form, cols: list[str], department: str, scheme: str, phased: bool) -> dict:
    cat, labels = rnd.choice(CATEGORIES)
    level = rnd.randrange(3)
    blank_level = "blank_level" in form.traps and rnd.random() < 0.3
    blank_cat = "blank_category" in form.traps and rnd.random() < 0.3
    return {
        "department": department, "position": rnd.choice(POSITIONS) if "position" in cols else None,
        "person": rnd.choice(PERSONS) if "person" in cols else None,
        "duty": rnd.choice(DUTIES) if "duty" in cols else None,
        "risk": _risk(rnd, "long_cells" in form.traps and rnd.random() < 0.5),
        "category": None if blank_cat or "category" not in cols else cat,
        "category_label": rnd.choice(labels),
        "level": None if blank_level or "level" not in cols else ("high", "medium", "low")[level],
        "level_label": LEVELS[scheme][level],
        "measures": _measures(rnd, form, phased),
        "owner": rnd.choice(PERSONS) if "owner" in cols else None,
        "deadline": rnd.choice(("长期", "即时", "2024-12-31")) if "deadline" in cols else None,
    }


def _columns(rnd: random.Random, form: Form, with_department: bool) -> list[str]:
    odds = {"seq": 0.85, "position": 0.8, "person": 0.35, "duty": 0.6, "category": 0.6, "level": 0.9,
            "owner": 0.6, "deadline": 0.4}
    cols = [name for name in ORDER if name in ("risk", "measures") or rnd.random() < odds.get(name, 0)]
    if with_department:
        cols.insert(1, "department")
    if "column_order" in form.traps:
        rest = [c for c in cols if c != "seq"]
        rnd.shuffle(rest)
        cols = (["seq"] if "seq" in cols else []) + rest
    return cols


# ---------------------------------------------------------------- drawing the table

def _header(rnd: random.Random, form: Form, cols: list[str]) -> list[list[GCell]]:
    def word(name: str) -> str:
        return rnd.choice(SYNONYMS[name]) if "synonyms" in form.traps else SYNONYMS[name][0]

    two = "two_row_header" in form.traps
    top: list[GCell] = []
    sub: list[GCell] = []
    for name in cols:
        if name == "measures" and "phase_columns" in form.traps:
            top += [GCell(word("measures"), span=3)]
            sub += [GCell(rnd.choice(PHASE_WORDS[i])) for i in range(3)]
        elif name == "level" and "tick_levels" in form.traps:
            top += [GCell("风险等级", span=3)]
            sub += [GCell(t) for t in ("高", "中", "低")]
        elif two:
            top.append(GCell(word(name), vmerge="restart"))
            sub.append(GCell("", vmerge="continue"))
        else:
            top.append(GCell(word(name)))
    return [top, sub] if two else [top]


def _measure_text(rnd: random.Random, form: Form, measures: list[tuple[str | None, str]]) -> str:
    if "phase_prefixes" in form.traps:
        return "\n".join(f"{rnd.choice(PHASE_WORDS[PHASES.index(p)])}:{m}" for p, m in measures)
    if len(measures) > 1 and "numbered_measures" in form.traps:
        return ";".join(f"{i}、{m}" for i, (_, m) in enumerate(measures, 1)) + "。"
    return "\n".join(m for _, m in measures)


def _cells(rnd: random.Random, form: Form, cols: list[str], e: dict, seq: int) -> list[GCell]:
    out: list[GCell] = []
    for name in cols:
        if name == "seq":
            out.append(GCell(str(seq)))
        elif name == "measures" and "phase_columns" in form.traps:
            out += [GCell(m) for _, m in e["measures"]]
        elif name == "measures":
            out.append(GCell(_measure_text(rnd, form, e["measures"])))
        elif name == "level" and "tick_levels" in form.traps:
            out += [GCell("√" if e["level_label"] == label and e["level"] else "") for label in ("高", "中", "低")]
        elif name == "level":
            out.append(GCell(e["level_label"] if e["level"] else ""))
        elif name == "category":
            out.append(GCell(e["category_label"] if e["category"] else ""))
        else:
            out.append(GCell(e[name] or ""))
    return out


def _merge_positions(form: Form, table: Table, cols: list[str], first: int, entries: list[dict]) -> None:
    """Give runs of entries one 岗位 (and 姓名) and merge those cells vertically."""
    if "position" not in cols:
        return
    c = _cell_index(form, cols, "position")
    for i in range(1, len(entries)):
        if i % 3:  # runs of three rows share a position
            entries[i]["position"] = entries[i - 1]["position"]
            table.rows[first + i][c] = GCell("", vmerge="continue")
            table.rows[first + i - 1][c].vmerge = table.rows[first + i - 1][c].vmerge or "restart"


def _cell_index(form: Form, cols: list[str], name: str) -> int:
    """Where column `name` starts: phase and tick columns take three cells."""
    wide = {"measures": "phase_columns", "level": "tick_levels"}
    return sum(3 if wide.get(col) in form.traps else 1 for col in cols[:cols.index(name)])


def _width(rows: list[list[GCell]]) -> int:
    return sum(c.span for c in rows[0])


def _spanning(text: str, width: int) -> list[GCell]:
    return [GCell(text, span=width)]


def _risk_table(rnd: random.Random, form: Form, department: str, scheme: str, with_department: bool) -> Table:
    cols = _columns(rnd, form, with_department)
    rows = _header(rnd, form, cols)
    header = [list(r) for r in rows]
    width = _width(rows)
    phased = "phase_columns" in form.traps or "phase_prefixes" in form.traps
    entries = [_entry(rnd, form, cols, department, scheme, phased) for _ in range(rnd.randint(2, 7))]
    table = Table(rows)
    first = len(rows)
    for i, e in enumerate(entries, 1):
        table.rows.append(_cells(rnd, form, cols, e, i))
    if "merged_position" in form.traps:
        _merge_positions(form, table, cols, first, entries)
    if "header_repeat" in form.traps and len(entries) >= 4:
        at = first + 2 + ("merged_position" in form.traps)  # a page break repeated the header
        table.rows[at:at] = [[GCell(c.text, c.span) for c in r] for r in header]
        if "position" in cols:  # a merge cannot run across the repeated header: the position is written again
            c = _cell_index(form, cols, "position")
            below = table.rows[at + len(header)]
            if below[c].vmerge == "continue":
                below[c] = GCell(entries[at - first]["position"], vmerge="restart")
    if "total_row" in form.traps:
        table.rows.append(_spanning("合计", 2 if width > 3 else 1) + [GCell(f"共{len(entries)}项")]
                          + [GCell("") for _ in range(width - (2 if width > 3 else 1) - 1)])
    if "note_row" in form.traps:
        table.rows.append(_spanning("注:风险等级由科室集体研究确定,防控措施应具体可行。", width))
    if "signature_row" in form.traps:
        half = width // 2
        table.rows.append([GCell("科室负责人(签字):", span=half), GCell("分管领导(签字):", span=width - half)])
    table.data_rows = len(entries)
    table.header_rows = len(header)
    table.three_line = "three_line" in form.traps
    table.centred = "three_line" in form.traps and rnd.random() < 0.5
    form.entries += entries
    return table


# ---------------------------------------------------------------- whole forms

def _traps(rnd: random.Random, force: Iterable[str], without: Iterable[str]) -> set[str]:
    odds = {t: 0.3 for t in TRAPS}
    odds.update(leadership=0.08, power_list=0.06, several_tables=0.2, tick_levels=0.12, phase_columns=0.15,
                phase_prefixes=0.2, three_line=0.15)
    traps = {t for t, p in odds.items() if rnd.random() < p} - set(without) | set(force)
    if "phase_columns" in traps:
        traps.discard("phase_prefixes")
    if "tick_levels" in traps or "phase_columns" in traps:
        traps.add("two_row_header")
    return traps


def generate(seed: int, *, force: Iterable[str] = (), without: Iterable[str] = ()) -> Form:
    """One form drawn from `seed`, with its truth; `force` and `without` set traps in or out."""
    rnd = random.Random(seed)
    form = Form(seed, _traps(rnd, force, without))
    if "power_list" in form.traps:
        return _power_list(rnd, form)
    if "leadership" in form.traps:
        return _leadership(rnd, form)
    scheme = rnd.choice(tuple(LEVELS)) if "legend" in form.traps else rnd.choice(("gzd", "abc", "stars", "gzd"))
    if "tick_levels" in form.traps:
        scheme = "gzd"
    departments = rnd.sample(DEPARTMENTS, 2 if "several_tables" in form.traps else 1)
    with_department = "several_tables" not in form.traps and rnd.random() < 0.15
    form.blocks.append("科室廉政风险防控排查表")
    sheets: list[tuple[str, list[str | Table]]] = []
    for i, department in enumerate(departments):
        lines: list[str | Table] = []
        if "several_tables" in form.traps:
            lines.append(f"{'一二'[i]}、{department}")
        elif "header_lines" in form.traps and not with_department:
            lines.append(f"填报单位:某市某局    科室:{department}    填表日期:2024年3月5日")
        elif not with_department:
            lines.append(f"科室:{department}")
        table = _risk_table(rnd, form, department, scheme, with_department)
        lines.append(table)
        form.blocks += lines
        sheets.append((department, ["科室廉政风险防控排查表", *lines]))
    if "legend" in form.traps and scheme in LEGENDS:
        form.blocks.append(LEGENDS[scheme])
    if "signature_line" in form.traps:
        form.blocks.append("科室负责人(签字):________    分管领导(签字):________    日期:____年__月__日")
    if len(sheets) > 1:
        form.sheets = sheets
        if "legend" in form.traps and scheme in LEGENDS:
            sheets[-1][1].append(LEGENDS[scheme])
    return form


def _leadership(rnd: random.Random, form: Form) -> Form:
    """领导班子 / 三重一大: the 事项 is the duty, the description is the risk."""
    form.blocks.append("领导班子“三重一大”廉政风险防控表")
    form.blocks.append("填报单位:某市某局")
    head = ["序号", rnd.choice(("事项", "风险事项", "三重一大事项")), rnd.choice(("风险点", "风险描述", "主要风险点")),
            "风险等级", "防控措施", "责任人"]
    rows = [[GCell(t) for t in head]]
    for i, matter in enumerate(rnd.sample(MATTERS, rnd.randint(2, 4)), 1):
        e = {"department": None, "position": None, "person": None, "duty": matter, "risk": _risk(rnd, False),
             "category": None, "level": ("high", "medium", "low")[i % 3], "level_label": "高中低"[i % 3],
             "measures": _measures(rnd, form, "phase_prefixes" in form.traps), "owner": rnd.choice(PERSONS), "deadline": None}
        rows.append([GCell(str(i)), GCell(matter), GCell(e["risk"]), GCell(e["level_label"]),
                     GCell(_measure_text(rnd, form, e["measures"])), GCell(e["owner"])])
        form.entries.append(e)
    form.blocks.append(Table(rows, len(rows) - 1))
    return form


def _power_list(rnd: random.Random, form: Form) -> Form:
    form.kind = "power_list"
    form.blocks.append("某市某局职权目录")
    subject = rnd.choice(("办理主体", "承办岗位", "责任科室", "实施主体"))
    basis = rnd.choice(("法律依据", "设定依据"))
    rows = [[GCell(t) for t in ("序号", "职权名称", "职权内容", subject, basis)]]
    for i, (name, content, law) in enumerate(rnd.sample(POWERS, rnd.randint(2, 5)), 1):
        who = rnd.choice(DEPARTMENTS if subject != "承办岗位" else POSITIONS)
        form.powers.append({"name": name, "content": content, "subject": who, "basis": law})
        rows.append([GCell(str(i)), GCell(name), GCell(content), GCell(who), GCell(law)])
    form.blocks.append(Table(rows, len(rows) - 1))
    return form


# ---------------------------------------------------------------- writers

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
_THREE_LINE = "".join(f'<w:{side} w:val="single" w:sz="8" w:space="0" w:color="000000"/>' for side in ("top", "bottom"))
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_PAGE = ('<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
         '<w:pgMar w:top="1000" w:right="800" w:bottom="1000" w:left="800" w:header="500" w:footer="500"/></w:sectPr>')


def _para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _tc(cell: GCell, width: int, rule_below: bool = False, centred: bool = False) -> str:
    props = f'<w:tcW w:w="{width * cell.span}" w:type="dxa"/>'
    if rule_below:
        props += '<w:tcBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>'
    if cell.span > 1:
        props += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif cell.vmerge == "continue":
        props += "<w:vMerge/>"
    if centred:
        props += '<w:vAlign w:val="center"/>'
    body = "".join(_para(line) for line in cell.text.split("\n"))
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def _tbl(table: Table) -> str:
    cols = _width(table.rows)
    width = 15000 // cols
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in range(cols))
    rule = table.header_rows - 1 if table.three_line else -1
    rows = "".join(f"<w:tr>{''.join(_tc(c, width, r == rule, table.centred) for c in row)}</w:tr>" for r, row in enumerate(table.rows))
    borders = _THREE_LINE if table.three_line else _BORDERS
    props = f'<w:tblPr><w:tblW w:w="{width * cols}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'
    return f"<w:tbl>{props}<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def docx(form: Form) -> bytes:
    body = "".join(_para(b) if isinstance(b, str) else _tbl(b) + _para("") for b in form.blocks)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{W_NS}"><w:body>{body}{_PAGE}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
    return out.getvalue()


def _sheet_rows(ws, blocks: list[str | Table]) -> None:
    r = 1
    for block in blocks:
        if isinstance(block, str):
            ws.cell(r, 1, block)
            r += 1
            continue
        starts: dict[int, int] = {}  # column -> row where its vertical merge began
        for row in block.rows:
            c = 1
            for cell in row:
                if cell.vmerge != "continue":
                    ws.cell(r, c, cell.text)
                if cell.span > 1:
                    ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + cell.span - 1)
                if cell.vmerge != "continue" and c in starts:
                    _close(ws, starts.pop(c), r - 1, c)
                if cell.vmerge == "restart":
                    starts[c] = r
                c += cell.span
            r += 1
        for c, start in starts.items():
            _close(ws, start, r - 1, c)
        r += 1


def _close(ws, top: int, bottom: int, c: int) -> None:
    if bottom > top:
        ws.merge_cells(start_row=top, start_column=c, end_row=bottom, end_column=c)


def xlsx(form: Form) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, blocks in form.sheets or [("Sheet1", form.blocks)]:
        _sheet_rows(wb.create_sheet(title), blocks)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdfs(forms: list[Form]) -> list[bytes]:
    """Text PDFs of the forms' .docx, converted by ONE LibreOffice call."""
    return converted([docx(form) for form in forms], "docx", "pdf")


def xls_files(forms: list[Form]) -> list[bytes]:
    """Excel 97 (.xls, BIFF8) files of the forms' .xlsx, converted by ONE LibreOffice call."""
    return converted([xlsx(form) for form in forms], "xlsx", "xls")


def converted(files: list[bytes], source: str, target: str) -> list[bytes]:
    """The files converted by one soffice call (a second one for any file the first left
    out: soffice now and then skips one of a long list)."""
    with tempfile.TemporaryDirectory(prefix="formgen-") as tmp:
        work = Path(tmp)
        paths = []
        for data in files:
            path = work / f"f{len(paths)}.{source}"
            path.write_bytes(data)
            paths.append(path)
        for _ in range(2):
            missing = [p for p in paths if not (work / "out" / f"{p.stem}.{target}").is_file()]
            if missing:
                subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                                "--norestore", "--convert-to", target, "--outdir", str(work / "out"),
                                *map(str, missing)],
                               check=True, capture_output=True, timeout=1200, env={**os.environ, "HOME": tmp})
        return [(work / "out" / f"{p.stem}.{target}").read_bytes() for p in paths]


def make_docx(seed: int) -> tuple[bytes, Form]:
    """A generated .docx and its truth (`Form.entries`, `Form.powers`)."""
    form = generate(seed)
    return docx(form), form


# ---------------------------------------------------------------- the truth against a parse

ENTRY_FIELDS = ("department", "position", "person", "duty", "risk", "category", "level", "owner", "deadline")


def _k(value: str | None) -> str | None:
    return key(value) if value else None


def _measure_key(measures: list[tuple[str | None, str]], split: bool) -> list:
    if split:
        return [(p, key(t)) for p, t in measures]
    phases: dict[str | None, str] = {}  # a PDF cannot tell a wrapped line from a new one: one text per phase
    for p, t in measures:
        phases[p] = phases.get(p, "") + key(t)
    return sorted(phases.items(), key=str)


def compare(parsed: ParsedForm, form: Form, *, split_measures: bool = True) -> list[str]:
    """Where the parse differs from the truth (empty when it reads the form exactly); without
    `split_measures` the measures of one phase count as one text (where one ends is not compared)."""
    diffs = []
    if parsed.form.kind != form.kind:
        diffs.append(f"kind {parsed.form.kind} != {form.kind}")
    if form.kind == "power_list":
        got = [{k: _k(getattr(p, n)) for k, n in (("name", "name"), ("content", "content"), ("subject", "subject"),
                                                    ("basis", "basis"))} for p in parsed.powers]
        want = [{k: _k(v) for k, v in p.items()} for p in form.powers]
        if got != want:
            diffs.append(f"powers {got} != {want}")
        if parsed.entries:
            diffs.append(f"{len(parsed.entries)} entries on a power list")
        return diffs
    if len(parsed.entries) != len(form.entries):
        diffs.append(f"{len(parsed.entries)} entries != {len(form.entries)}")
    for i, (got, want) in enumerate(zip(parsed.entries, form.entries, strict=False)):
        for name in ENTRY_FIELDS:
            if _k(getattr(got, name)) != _k(want[name]):
                diffs.append(f"entry {i} {name}: {getattr(got, name)!r} != {want[name]!r}")
        measures = _measure_key([(m.phase, m.text) for m in got.measures], split_measures)
        if measures != _measure_key(want["measures"], split_measures):
            diffs.append(f"entry {i} measures: {[(m.phase, m.text) for m in got.measures]} != {want['measures']}")
    return diffs
