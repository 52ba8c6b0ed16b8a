"""Demo data: risk forms generated in code, and a store filled with them.

`make_form_docx` / `make_form_xlsx` write the typical 科室廉政风险防控排查表 (title, a header
line with unit, department and date, one table, 填表人 below) straight as OOXML — a few
milliseconds a form, so tests and benchmarks can make hundreds. `load_demo()` is what
`lianfang demo` runs: units, users, people, a campaign and forms, ingested like any upload.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select

from service.ingest import DUPLICATE, ingest_file
from service.store.activity import Actor
from service.store.bootstrap import init_store
from service.store.campaigns import add_campaign
from service.store.db import write_session
from service.store.models import Campaign, SubmissionStatus
from service.store.roster import RosterPerson, add_person
from service.store.units import add_unit
from service.store.users import add_user

HEADERS = ("序号", "岗位", "风险点", "风险类型", "风险等级", "防控措施", "责任人")


@dataclass
class FormRow:
    position: str
    risk: str
    category: str  # 风险类型 as written, e.g. 岗位职责
    level: str  # 风险等级 as written, e.g. 高 or 一级; "" when the unit left it out
    measures: list[str]
    owner: str | None = None


@dataclass
class FormSpec:
    title: str
    unit: str
    department: str | None
    filled_on: str  # ISO date
    rows: list[FormRow]
    person: str | None = None  # 填表人
    note: str | None = None  # a line under the table, e.g. the level legend

    @classmethod
    def of(cls, spec: FormSpec | dict[str, Any]) -> FormSpec:
        if isinstance(spec, FormSpec):
            return spec
        data = dict(spec)
        data["rows"] = [r if isinstance(r, FormRow) else FormRow(**r) for r in data["rows"]]
        return cls(**data)


def _cn_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _header_line(spec: FormSpec) -> str:
    parts = [f"单位:{spec.unit}"]
    if spec.department:
        parts.append(f"科室:{spec.department}")
    parts.append(f"填表日期:{_cn_date(spec.filled_on)}")
    return "    ".join(parts)


def _table_rows(spec: FormSpec) -> list[list[str]]:
    rows = [list(HEADERS)]
    for i, r in enumerate(spec.rows, start=1):
        measures = ";".join(f"{n}、{m}" for n, m in enumerate(r.measures, start=1))
        rows.append([str(i), r.position, r.risk, r.category, r.level, measures, r.owner or ""])
    return rows


def _footer_lines(spec: FormSpec) -> list[str]:
    return [line for line in (spec.note, f"填表人:{spec.person}" if spec.person else None) if line]


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():  # fixed timestamps: the same spec gives the same bytes
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), xml, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FONT = '<w:rFonts w:ascii="宋体" w:eastAsia="宋体" w:hAnsi="宋体"/>'


def _w_par(text: str, *, bold: bool = False, center: bool = False, size: int = 21) -> str:
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    rpr = f"<w:rPr>{_FONT}{'<w:b/>' if bold else ''}<w:sz w:val=\"{size}\"/></w:rPr>"
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _w_table(rows: list[list[str]]) -> str:
    widths = (600, 1300, 2600, 1100, 900, 3000, 1100)
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/></w:tcPr>'
                        f"{_w_par(text, bold=r == 0, center=r == 0 or c == 0, size=18)}</w:tc>"
                        for c, text in enumerate(row))
        body.append(f"<w:tr>{'<w:trPr><w:tblHeader/></w:trPr>' if r == 0 else ''}{cells}</w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(body)}</w:tbl>")


def make_form_docx(spec: FormSpec | dict[str, Any]) -> bytes:
    """A Word risk form as a unit would fill it in (landscape A4, one table)."""
    spec = FormSpec.of(spec)
    paragraphs = [_w_par(spec.title, bold=True, center=True, size=32), _w_par(_header_line(spec))]
    footer = "".join(_w_par(line) for line in _footer_lines(spec))
    body = (f"{''.join(paragraphs)}{_w_table(_table_rows(spec))}{footer}"
            '<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
            '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="0" w:footer="0" w:gutter="0"/>'
            "</w:sectPr>")
    return _zip({
        "[Content_Types].xml": _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": _XML + (f'<Relationships xmlns="{_RELS_NS}"><Relationship Id="rId1" Type="{_DOC_REL}" '
                               'Target="word/document.xml"/></Relationships>'),
        "word/document.xml": _XML + f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>',
    })


def _col(c: int) -> str:
    return chr(ord("A") + c)


def _x_row(r: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{_col(c)}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'
                    for c, v in enumerate(values) if v != "")
    return f'<row r="{r}">{cells}</row>'


def make_form_xlsx(spec: FormSpec | dict[str, Any]) -> bytes:
    """An Excel risk form: title merged over row 1, header line on row 2, table from row 3."""
    spec = FormSpec.of(spec)
    last = _col(len(HEADERS) - 1)
    lines = [[spec.title], [_header_line(spec)], *_table_rows(spec), *([line] for line in _footer_lines(spec))]
    merged = [1, 2, *range(len(lines) - len(_footer_lines(spec)) + 1, len(lines) + 1)]
    merges = "".join(f'<mergeCell ref="A{r}:{last}{r}"/>' for r in merged)
    widths = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                     for i, w in enumerate((6, 16, 40, 12, 10, 50, 14)))
    sheet = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<cols>{widths}</cols><sheetData>{''.join(_x_row(r, v) for r, v in enumerate(lines, start=1))}"
             f'</sheetData><mergeCells count="{len(merged)}">{merges}</mergeCells></worksheet>')
    sheet_name = escape(spec.department or "风险点排查表", {'"': "&quot;"})
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return _zip({
        "[Content_Types].xml": _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml}.worksheet+xml"/></Types>'),
        "_rels/.rels": _XML + (f'<Relationships xmlns="{_RELS_NS}"><Relationship Id="rId1" Type="{_DOC_REL}" '
                               'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": _XML + (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": _XML + (
            f'<Relationships xmlns="{_RELS_NS}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": _XML + sheet,
    })


# The demo county: units, their departments, and the risk points each department reports.
# Drawn from the public plans in ../shared/seeds; a few entries are deliberately weak (a vague
# measure, a missing level, levels by rank) so the audit has something real to find.
DEMO_UNITS: dict[str, dict[str, Any]] = {
    "安澜县财政局": {
        "login": "czj",
        "leaders": [("周卫东", "局长"), ("陈丽华", "副局长")],
        "departments": {
            "国库股": ("孙志刚", [
                FormRow("股长", "国库集中支付审核把关不严,对不符合规定的资金拨付申请予以支付", "岗位职责", "高",
                        ["严格执行国库集中支付审核程序", "支付凭证实行经办、复核双人签章", "每月抽查支付凭证并通报结果"], "孙志刚"),
                FormRow("会计", "利用资金调度权限违规出借、挪用财政资金", "岗位职责", "高",
                        ["资金调度须经分管领导审批", "银行账户余额每日对账", "内审股每季度开展专项检查"], "孙志刚"),
                FormRow("出纳", "收受预算单位好处,优先或违规办理资金拨付", "思想道德", "中",
                        ["开展警示教育", "资金拨付按受理顺序办理并公开进度"], "孙志刚"),
                FormRow("会计", "财政专户资金核算不及时,账实不符", "业务流程", "低",
                        ["加强学习,提高认识"], "孙志刚"),
            ]),
            "预算股": ("刘晓燕", [
                FormRow("股长", "预算编制中人为调整支出标准,向关系单位倾斜", "岗位职责", "高",
                        ["预算编制标准公开", "预算安排经局党组集体研究", "预算执行情况向人大报告"], "刘晓燕"),
                FormRow("科员", "预算追加审核不严,未按程序报批", "业务流程", "中",
                        ["追加预算一律填写审批表并附依据", "超过50万元的追加报县政府常务会议研究"], "刘晓燕"),
                FormRow("科员", "泄露预算安排等内部信息", "思想道德", "",
                        ["签订保密承诺书", "涉密文件专人管理、登记借阅"], "刘晓燕"),
            ]),
            "行政政法股": ("郭建平", [
                FormRow("股长", "专项资金分配不公开,分配方案未经集体研究", "制度机制", "高",
                        ["专项资金分配办法于2025年6月底前修订出台", "分配方案经局务会集体研究并公示"], "郭建平"),
                FormRow("科员", "对部门资金使用监督检查走过场", "岗位职责", "中",
                        ["制定年度监督检查计划", "检查结果书面反馈并跟踪整改"], "郭建平"),
                FormRow("科员", "服务对象请托说情、送礼拉拢", "外部环境", "低",
                        ["落实首问负责和一次性告知制度", "拒收礼品登记上交"], "郭建平"),
            ]),
        },
    },
    "安澜县市场监督管理局": {
        "login": "scj",
        "leaders": [("王海涛", "局长"), ("赵敏", "纪检组长")],
        "departments": {
            "登记注册科": ("林国强", [
                FormRow("科长", "名称预先核准中违规核准与他人近似的企业名称", "岗位职责", "中",
                        ["严格执行企业名称登记管理规定", "名称核准实行系统比对和人工复核"], "林国强"),
                FormRow("受理员", "对申请材料不齐全、不符合法定形式的申请违规受理", "业务流程", "中",
                        ["公示登记所需材料目录", "受理后由审查员复核"], "林国强"),
                FormRow("登记员", "个体工商户登记中搭车收费或违规代办", "思想道德", "高",
                        ["收费项目和标准上墙公示", "严禁工作人员代办登记业务", "开展办事群众满意度回访"], "林国强"),
                FormRow("登记员", "中介机构以代理业务为名拉关系、送好处", "外部环境", "中",
                        ["公开办事程序,减少中介代办环节", "建立中介机构不良行为记录"], "林国强"),
            ]),
            "执法稽查大队": ("何志军", [
                FormRow("大队长", "案件查办中滥用自由裁量权,对同类违法行为处罚畸轻畸重", "岗位职责", "高",
                        ["执行行政处罚自由裁量基准", "重大案件集体讨论", "处罚决定书网上公开"], "何志军"),
                FormRow("执法人员", "接受当事人宴请、礼金,为其通风报信", "思想道德", "高",
                        ["执法全程记录", "实行执法人员轮岗交流", "纪检组不定期回访当事人"], "何志军"),
                FormRow("执法人员", "罚没物品登记保管不规范,私自处置", "制度机制", "中",
                        ["罚没物品入库登记、双人保管", "罚没物品处置经局务会研究并公开拍卖"], "何志军"),
                FormRow("执法人员", "案件移送不及时,以罚代刑", "业务流程", "中",
                        ["涉嫌犯罪案件移送纳入法制科审核", "每季度通报案件移送情况"], "何志军"),
            ]),
        },
    },
    "安澜县住房和城乡建设局": {
        "login": "zjj",
        "leaders": [("黄志明", "局长"), ("杨春梅", "副局长")],
        "departments": {
            "工程建设管理股": ("吴俊峰", [
                FormRow("股长", "工程招标中设置排他性条件,为特定投标人量身定做", "岗位职责", "一级",
                        ["招标文件由法规股合法性审查", "资格条件报县公共资源交易中心备案", "评标专家随机抽取"], "吴俊峰"),
                FormRow("质量监督员", "质量监督检查中降低标准、隐瞒问题", "岗位职责", "二级",
                        ["监督检查两人以上并留存影像资料", "检查结果录入监管平台"], "吴俊峰"),
                FormRow("科员", "工程变更签证审核把关不严,虚增工程量", "业务流程", "一级",
                        ["设计变更须经建设、监理、设计三方会签", "变更金额超过合同价10%的报局党组研究"], "吴俊峰"),
            ]),
            "财务室": ("邓丽", [
                FormRow("会计", "虚列支出、套取资金设立小金库", "制度机制", "一级",
                        ["严格执行公务卡结算制度", "每半年开展小金库专项自查", "财务收支定期公开"], "邓丽"),
                FormRow("出纳", "现金管理不规范,公款私存", "岗位职责", "三级",
                        ["现金日清月结", "银行对账单由会计核对"], "邓丽"),
            ]),
        },
        "note": "注:风险等级分为一级、二级、三级,一级为最高。",
    },
}
DEMO_PASSWORD = "demo1234"
DEMO = Actor("demo")  # who the activity log says filled the demo store


@dataclass
class DemoSummary:
    units: int = 0
    users: list[str] = field(default_factory=list)
    forms: int = 0
    duplicates: int = 0
    entries: int = 0
    failed: list[str] = field(default_factory=list)
    campaign: str = ""
    admin_password: str | None = None

    def lines(self) -> list[str]:
        out = [f"年度工作:{self.campaign}", f"单位:{self.units} 个;表格:{self.forms} 份(其中已导入过 {self.duplicates} 份);新增风险点:{self.entries} 个"]
        if self.users:
            out.append(f"单位用户(密码 {DEMO_PASSWORD}):{'、'.join(self.users)}")
        if self.admin_password:
            out.append(f"管理员 admin 初始密码:{self.admin_password}")
        out.extend(f"未能导入:{name}" for name in self.failed)
        return out


def demo_forms(year: int) -> list[tuple[str, str, bytes]]:
    """(unit, file name, bytes) for every demo department: Word and Excel in turn."""
    forms = []
    n = 0
    for unit, info in DEMO_UNITS.items():
        for department, (head, rows) in info["departments"].items():
            spec = FormSpec(title="科室廉政风险防控排查表", unit=unit, department=department,
                            filled_on=f"{year}-04-{10 + n:02d}", rows=rows, person=head, note=info.get("note"))
            if n % 2 == 0:
                forms.append((unit, f"{department}廉政风险防控排查表.docx", make_form_docx(spec)))
            else:
                forms.append((unit, f"{department}廉政风险防控排查表.xlsx", make_form_xlsx(spec)))
            n += 1
    return forms


def load_demo(year: int | None = None) -> DemoSummary:
    """Fill the store with the demo county; running it again adds nothing new."""
    year = year or date.today().year
    summary = DemoSummary(campaign=f"{year}年度安澜县廉政风险防控工作")
    summary.admin_password = init_store(change_at_first_login=True).generated_password
    with write_session() as s:
        if s.scalar(select(Campaign.id).where(Campaign.name == summary.campaign)) is None:
            add_campaign(s, {"name": summary.campaign, "year": year}, actor=DEMO)
        for unit_name, info in DEMO_UNITS.items():
            unit, _ = add_unit(s, unit_name, actor=DEMO)
            summary.units += 1
            for department, (head, _rows) in info["departments"].items():
                add_unit(s, department, unit.id, actor=DEMO)
                add_person(s, unit.id, RosterPerson(head, department, f"{department}负责人"), actor=DEMO)
            for name, position in info["leaders"]:
                add_person(s, unit.id, RosterPerson(name, None, position, is_leader=True), actor=DEMO)
            add_user(s, info["login"], DEMO_PASSWORD, unit_id=unit.id, actor=DEMO, check_password=False)
            summary.users.append(f"{info['login']}({unit_name})")
    for unit_name, filename, data in demo_forms(year):
        result = ingest_file(data, filename, unit=unit_name, campaign=summary.campaign, actor="demo")
        summary.forms += 1
        summary.entries += result.entry_count
        summary.duplicates += result.status == DUPLICATE
        if result.status == SubmissionStatus.FAILED:
            summary.failed.append(f"{filename}:{result.error_message}")
    return summary
