"""The plain data that leaves `parsers/`: exactly the parse-output contract.

`ParsedForm.to_json()` is what `lianfang parse FILE --json` prints; the field order
follows ../shared/contract/parse-output.schema.json so output diffs stay readable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["high", "medium", "low"]
Phase = Literal["前期预防", "中期监控", "后期处置"]
FormKind = Literal["risk_register", "power_list", "other"]
CATEGORIES = ("思想道德", "岗位职责", "业务流程", "制度机制", "外部环境", "其他")
PHASES: tuple[str, ...] = ("前期预防", "中期监控", "后期处置")
LEVELS: tuple[str, ...] = ("high", "medium", "low")


@dataclass(slots=True)
class ParsedMeasure:
    text: str
    phase: str | None = None
    owner: str | None = None
    deadline: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "phase": self.phase}
        if self.owner is not None:
            out["owner"] = self.owner
        if self.deadline is not None:
            out["deadline"] = self.deadline
        return out


@dataclass(slots=True)
class Source:
    table: int | None = None
    sheet: str | None = None
    page: int | None = None
    row: int | None = None


@dataclass(slots=True)
class ParsedEntry:
    risk: str
    department: str | None = None
    position: str | None = None
    person: str | None = None
    duty: str | None = None
    manifestation: str | None = None
    category: str | None = None
    category_label: str | None = None
    domain: str | None = None
    level: str | None = None
    level_label: str | None = None
    measures: list[ParsedMeasure] = field(default_factory=list)
    owner: str | None = None
    supervisor: str | None = None
    deadline: str | None = None
    source: Source = field(default_factory=Source)

    def to_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "position": self.position,
            "person": self.person,
            "duty": self.duty,
            "risk": self.risk,
            "manifestation": self.manifestation,
            "category": self.category,
            "category_label": self.category_label,
            "domain": self.domain,
            "level": self.level,
            "level_label": self.level_label,
            "measures": [m.to_json() for m in self.measures],
            "owner": self.owner,
            "supervisor": self.supervisor,
            "deadline": self.deadline,
            "source": asdict(self.source),
        }


@dataclass(slots=True)
class Power:
    """One power of a 职权目录 (power list): kept so the audit can check every 办理主体 is covered."""

    name: str
    content: str | None = None
    subject: str | None = None  # 办理主体 / 承办岗位 / 责任岗位 / 责任科室
    basis: str | None = None  # 法律依据 / 设定依据
    source: Source = field(default_factory=Source)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "content": self.content, "subject": self.subject,
                "basis": self.basis, "source": asdict(self.source)}


@dataclass(slots=True)
class ParseWarning:
    code: str
    message: str
    location: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "location": self.location}


@dataclass(slots=True)
class FormInfo:
    kind: str = "risk_register"
    title: str | None = None
    unit: str | None = None
    department: str | None = None
    person: str | None = None
    filled_on: str | None = None
    level_scheme: str | None = None


@dataclass(slots=True)
class ParsedForm:
    file: str
    format: str
    sha256: str | None = None
    form: FormInfo = field(default_factory=FormInfo)
    entries: list[ParsedEntry] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    ocr: bool = False
    powers: list[Power] = field(default_factory=list)  # only on a power_list form

    def to_json(self) -> dict[str, Any]:
        out = {
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "form": asdict(self.form),
            "entries": [e.to_json() for e in self.entries],
            "warnings": [w.to_json() for w in self.warnings],
        }
        if self.form.kind == "power_list":  # additive to the first contract: only where it means something
            out["powers"] = [p.to_json() for p in self.powers]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedForm:
        """Rebuild from contract JSON (used by stores, tests and the batch path)."""
        entries = []
        for e in data.get("entries", []):
            e = dict(e)
            measures = [ParsedMeasure(**m) for m in e.pop("measures", [])]
            source = Source(**(e.pop("source", None) or {}))
            entries.append(ParsedEntry(measures=measures, source=source, **e))
        return cls(
            file=data["file"],
            format=data["format"],
            sha256=data.get("sha256"),
            form=FormInfo(**data.get("form", {})),
            entries=entries,
            warnings=[ParseWarning(**w) for w in data.get("warnings", [])],
            powers=[Power(**{**p, "source": Source(**(p.get("source") or {}))}) for p in data.get("powers", [])],
        )
