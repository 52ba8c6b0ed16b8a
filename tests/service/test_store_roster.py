"""The roster: who on a form is a person, and that the office's own entries win."""

from __future__ import annotations

import pytest

from parsers.model import FormInfo, ParsedEntry, ParsedForm, ParsedMeasure
from service.store.db import read_session, write_session
from service.store.models import Person
from service.store.roster import RosterPerson, add_person, looks_like_name, people_from_form
from service.store.units import add_unit


@pytest.mark.parametrize("text", ["张三", "陈建国", "欧阳修", "司马光明"])
def test_names(text):
    assert looks_like_name(text)


@pytest.mark.parametrize("text", ["科长", "王科长", "分管领导", "登记注册科科长", "受理员", "局党组", "全体干部", "张",
                                  "Zhang San", "张三丰丰丰", "", None])
def test_titles_and_offices_are_not_names(text):
    assert not looks_like_name(text)


def test_people_from_an_individual_form_and_its_owner_cells():
    form = ParsedForm(
        file="x.docx", format="docx",
        form=FormInfo(title="个人廉政风险防控排查表", department="登记注册科", person="张立新"),
        entries=[
            ParsedEntry(risk="违规核准名称", position="科长", person="张立新", owner="张立新、李红",
                  measures=[ParsedMeasure("复核", owner="分管领导")]),
            ParsedEntry(risk="收受礼品", position="科长", person="张立新", owner="登记注册科科长"),
        ],
    )
    people = people_from_form(form)
    assert [(p.name, p.department, p.position) for p in people] == [
        ("张立新", "登记注册科", "科长"), ("李红", "登记注册科", None)]


def test_a_form_never_overwrites_what_the_office_entered(store):
    with write_session() as s:
        unit, _ = add_unit(s, "安澜县财政局")
        add_person(s, unit.id, RosterPerson("周卫东", None, "局长", is_leader=True))
        _, created = add_person(s, unit.id, RosterPerson("周卫东", None, "科员"), origin="form")
    assert not created
    with read_session() as s:
        (person,) = s.query(Person).all()
    assert (person.position, person.is_leader, person.origin) == ("局长", True, "entered")
