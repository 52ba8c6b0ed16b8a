"""Audit speed: a campaign of 100 units x 200 entries, audited in under 10 s.

Usage: .venv/bin/python bench/audit_bench.py [--units 100] [--entries 200] [--database-url URL]

Builds the campaign in a fresh store (a temporary LIANFANG_HOME, SQLite unless a URL is
given) with bulk inserts: three measures per entry, departments, leaders on the roster,
and a sprinkling of defects (missing levels, vague measures, copied texts) so every rule
has work. Then times `run_audit(campaign=…)` twice: the first run stores the findings,
the second finds them again and changes nothing; then one unit alone, as after an ingest;
then the near-duplicate search alone over 25, 50 and 100 units, to show it grows with the campaign.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOPICS = ["现金收付", "原始凭证", "往来款项", "政府采购", "公务卡", "固定资产", "工资发放", "专项资金", "会议费",
          "印章管理", "票据领用", "银行账户", "行政审批", "执法检查", "工程招标", "干部选拔", "物资采购", "车辆管理"]
FAULTS = ["审核不严", "不及时入账", "违规办理", "收受好处", "程序不规范", "监督缺位", "优亲厚友", "暗箱操作"]
OBJECTS = ["申请材料", "会议纪要", "报销单据", "合同文本", "验收记录", "评审意见", "检查笔录", "考核结果", "招标文件",
           "审批签字", "现场照片", "收费票据", "出入库单", "派车记录", "用印登记", "档案目录", "培训记录", "统计报表",
           "账簿凭证", "询价记录", "公示名单", "举报信件", "案件卷宗", "工程签证", "资金台账", "资产清单", "接待清单",
           "人员名册", "许可证件", "年检报告"]
OUTCOMES = ["被篡改", "未及时归档", "被违规调阅", "被私自销毁", "内容失实", "未经审核", "被泄露", "未按规定公开",
            "被重复使用", "与实际不符"]
LEVELS = ["high", "medium", "low"]


def build(units: int, per_unit: int) -> None:
    from sqlalchemy import insert

    from service.store.bootstrap import init_store
    from service.store.db import write_session
    from service.store.models import Campaign, Entry, Measure, Person, StoredFile, Submission, Unit

    init_store(admin_password="bench-pass")
    stages = [{"name": "查找风险", "start": "2025-04-01", "end": "2025-06-30", "submissions": True,
               "deadline": "2025-06-30"}]
    with write_session() as s:
        campaign = Campaign(name="基准测试工作", year=2025, stages=stages, level_standard={}, audit={})
        s.add(campaign)
        s.flush()
        now = datetime(2025, 5, 1)
        entry_id = measure_id = 0
        for u in range(units):
            unit = Unit(name=f"基准单位{u:03d}")
            s.add(unit)
            s.flush()
            depts = []
            for d in range(4):
                dept = Unit(name=f"科室{d}", parent_id=unit.id)
                s.add(dept)
                depts.append(dept)
            s.flush()
            s.add(Person(name=f"王{u:03d}", unit_id=unit.id, position="局长", is_leader=True))
            sha = f"{u:064x}"
            s.execute(insert(StoredFile).values(sha256=sha, size=1, created_at=now))
            sub = Submission(campaign_id=campaign.id, unit_id=unit.id, original_name=f"单位{u}.xlsx", sha256=sha,
                             status="parsed", form_kind="risk_register", form={"filled_on": "2025-05-01"},
                             form_key=f"risk_register|{u}|", received_at=now)
            s.add(sub)
            s.flush()
            entries, measures = [], []
            for i in range(per_unit):
                entry_id += 1
                topic, fault = TOPICS[i % len(TOPICS)], FAULTS[(i * 7 + u) % len(FAULTS)]
                copied = i % 50 == 49
                thing, outcome = OBJECTS[(i // len(TOPICS)) % len(OBJECTS)], OUTCOMES[(i * 3 + u) % len(OUTCOMES)]
                risk = f"{TOPICS[0]}{FAULTS[0]}造成损失" if copied else f"{topic}工作中{fault},{thing}{outcome}"
                entries.append({
                    "id": entry_id, "submission_id": sub.id, "unit_id": unit.id, "campaign_id": campaign.id,
                    "is_current": True, "ordinal": i + 1, "department": f"科室{i % 4}", "position": f"岗位{i % 20}",
                    "risk": risk, "category": None if i % 40 == 0 else "岗位职责",
                    "level": None if i % 60 == 0 else LEVELS[(i + u) % 3], "owner": "刘芳", "source_row": i + 2,
                })
                texts = (["加强学习,提高认识"] if i % 30 == 0 else
                         [f"每年组织{topic}岗位人员开展第{i}期廉政教育", f"每季度由科长对{topic}台账抽查一次",
                          f"发现{topic}问题的追究岗位{i % 20}责任"])
                for k, text in enumerate(texts):
                    measure_id += 1
                    measures.append({"id": measure_id, "entry_id": entry_id, "ordinal": k + 1, "text": text})
            s.execute(insert(Entry), entries)
            s.execute(insert(Measure), measures)


def near_duplicate_scaling(campaign: str) -> None:
    """The copied_text rule (the near-duplicate search) over the first 25, 50 and 100 units:
    it searches each unit's texts through its q-gram index, so the time follows the campaign's size."""
    from datetime import date

    from sqlalchemy import select

    from service.audit.context import load_contexts
    from service.audit.registry import RULES
    from service.audit.similarity import allowed_edits, edit_distance, normalize, similar_pairs
    from service.store.db import read_session
    from service.store.models import Campaign

    with read_session() as s:
        cid = s.scalar(select(Campaign.id).where(Campaign.name == campaign))
        contexts = load_contexts(s, cid, None, date.today())
    rule = RULES["copied_text"]
    for n in (25, 50, 100):
        if n > len(contexts):
            break
        t0 = time.perf_counter()
        found = sum(len(list(rule.check(ctx, rule.defaults))) for ctx in contexts[:n])
        elapsed = time.perf_counter() - t0
        print(f"near-duplicate search over {n} units: {elapsed:.2f} s, {elapsed / n * 1000:.0f} ms a unit, "
              f"{found} copies")
    # Baseline in the same run: every pair of a unit's texts verified, as without the index.
    few, threshold = rule.defaults["few_chars"], rule.defaults["threshold"]
    sample = contexts[:5]
    texts = [[normalize(e.risk) for e in ctx.entries] for ctx in sample]
    t0 = time.perf_counter()
    indexed = sum(len(similar_pairs(t, threshold, few)) for t in texts)
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = sum(edit_distance(a, b, allowed_edits(max(len(a), len(b)), threshold, few))
                <= allowed_edits(max(len(a), len(b)), threshold, few)
                for t in texts for i, a in enumerate(t) for b in t[i + 1:])
    slow = time.perf_counter() - t0
    print(f"{len(sample)} units, indexed search {fast * 1000:.0f} ms vs every pair {slow * 1000:.0f} ms "
          f"({slow / fast:.0f}x), the same {indexed} = {naive} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    os.environ["LIANFANG_HOME"] = tempfile.mkdtemp(prefix="lianfang-audit-bench-")
    if args.database_url:
        os.environ["LIANFANG_DATABASE_URL"] = args.database_url

    from service.audit import run_audit

    t0 = time.perf_counter()
    build(args.units, args.entries)
    built = time.perf_counter() - t0
    total = args.units * args.entries
    print(f"built {args.units} units x {args.entries} entries ({total} entries) in {built:.1f} s")
    for label in ("first audit (stores findings)", "re-audit (no changes)"):
        t0 = time.perf_counter()
        findings = run_audit(campaign="基准测试工作")
        elapsed = time.perf_counter() - t0
        rules = sorted({f["rule"] for f in findings})
        print(f"{label}: {elapsed:.2f} s, {len(findings)} open findings, rules: {', '.join(rules)}")
    status = "OK" if elapsed < 10 else "SLOW"
    t0 = time.perf_counter()
    run_audit(unit="基准单位000", campaign="基准测试工作")
    print(f"one unit (what every ingest re-audits): {time.perf_counter() - t0:.3f} s")
    print(f"{status}: target is under 10 s for {total} entries")
    near_duplicate_scaling("基准测试工作")


if __name__ == "__main__":
    main()
