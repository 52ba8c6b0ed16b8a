"""The roster (人员名册): people entered by the office and people named on forms.

Forms name people in many cells (姓名, 填表人, 责任人, 班子成员), but the same cells often
hold a title instead ("科长", "分管领导"). Only text that looks like a personal name joins
the roster, marked origin="form"; someone entered by hand is never overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from parsers.model import ParsedForm
from service.store.activity import SYSTEM, Actor, record
from service.store.models import Person, utcnow
from service.store.upsert import insert_or_ignore

# The commonest surnames cover the vast majority of people; compound ones first.
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "令狐", "慕容", "夏侯", "长孙", "公孙")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
# Words that make a cell a title or an office, not a person ("王科长" is a title too).
_ROLE_WORDS = ("长", "主任", "书记", "领导", "负责", "人员", "干部", "主管", "经理", "会计", "出纳", "员",
               "科", "室", "局", "处", "组", "部", "委", "办", "班子", "中心", "站", "所", "队", "全体", "各")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@dataclass(frozen=True, slots=True)
class RosterPerson:
    name: str
    department: str | None = None
    position: str | None = None
    is_leader: bool = False


def looks_like_name(text: str | None) -> bool:
    """True for 2–4 Han characters that start with a common surname and name no title or office."""
    if not text or not _HAN_NAME.match(text):
        return False
    if any(word in text[1:] for word in _ROLE_WORDS):
        return False
    return text[:2] in _COMPOUND_SURNAMES or text[0] in _SURNAMES


def _split_names(text: str | None) -> list[str]:
    """A 责任人 cell may list several people: "张三、李四"."""
    return [part.strip() for part in re.split(r"[、,,;;/\s]+", text or "") if part.strip()]


def people_from_form(parsed: ParsedForm) -> list[RosterPerson]:
    """Everyone the form names, in order of appearance, once each (name + department)."""
    form = parsed.form
    found: list[RosterPerson] = []
    if form.person:
        position = next((e.position for e in parsed.entries if e.position), None)
        found.append(RosterPerson(form.person, form.department, position))
    for e in parsed.entries:
        department = e.department or form.department
        for name in _split_names(e.person):
            found.append(RosterPerson(name, department, e.position))
        for cell in (e.owner, e.supervisor, *(m.owner for m in e.measures)):
            found.extend(RosterPerson(name, department) for name in _split_names(cell))
    unique: dict[tuple[str, str | None], RosterPerson] = {}
    for person in found:
        if looks_like_name(person.name):
            unique.setdefault((person.name, person.department), person)
    return list(unique.values())


def _existing(session: Session, unit_id: int, name: str, department: str | None) -> Person | None:
    dept = Person.department.is_(None) if department is None else Person.department == department
    return session.scalars(select(Person).where(Person.unit_id == unit_id, Person.name == name, dept)).first()


def _values(unit_id: int, person: RosterPerson, origin: str, submission_id: int | None) -> dict[str, Any]:
    return {"name": person.name, "unit_id": unit_id, "department": person.department, "position": person.position,
            "is_leader": person.is_leader, "origin": origin, "submission_id": submission_id, "created_at": utcnow()}


def add_person(session: Session, unit_id: int, person: RosterPerson, *, origin: str = "entered",
               submission_id: int | None = None, actor: Actor = SYSTEM) -> tuple[Person, bool]:
    """Add `person` to the unit's roster unless they are on it; returns (row, created).

    An entry by the office updates position and leadership of the same person; a form never does.
    """
    created = _existing(session, unit_id, person.name, person.department) is None and bool(
        insert_or_ignore(session, Person, _values(unit_id, person, origin, submission_id)))
    row = _existing(session, unit_id, person.name, person.department)
    if not created and origin == "entered":
        row.position = person.position or row.position
        row.is_leader = person.is_leader or row.is_leader
        row.origin = "entered"
    record(session, actor, "person.create" if created else "person.update", "person", row.id, name=person.name,
           unit_id=unit_id)
    return row, created


_people = Person.__table__
_KNOWN = select(_people.c.name, _people.c.department).where(
    _people.c.unit_id == bindparam("unit_id"), _people.c.name.in_(bindparam("names", expanding=True)))


def add_people(session: Session, unit_id: int, people: list[RosterPerson], *, origin: str,
               submission_id: int | None = None) -> None:
    """Add everyone not yet on the unit's roster, in two statements (a form names dozens).

    The unique constraint cannot see a NULL department, hence the lookup before the insert.
    """
    if not people:
        return
    rows = session.execute(_KNOWN, {"unit_id": unit_id, "names": sorted({p.name for p in people})})
    known = {tuple(row) for row in rows}
    new = [_values(unit_id, p, origin, submission_id) for p in people if (p.name, p.department) not in known]
    insert_or_ignore(session, Person, new)
