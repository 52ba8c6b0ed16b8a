"""`lianfang` commands: batch — ingest a folder, follow it, report it, run workers, reconcile.

The batch machinery (process pools, RQ, openpyxl) is imported when a command runs, so
that `lianfang --help` and every other command stay quick to start.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from service.batch.attribute import UNIT_FROM
from service.cli import cli, on_interrupt
from service.config import settings

FAILURES_SHOWN = 20
RESUME_HINT = ":已处理的文件均已保存,重新运行同一命令即可继续。"


def _summary(batch_id: int) -> None:
    from service.batch import items, report
    from service.store.models import BatchItemStatus as Status

    info = report.status(batch_id)
    c = info["counts"]
    held = f"待确认 {c[items.HELD]}," if c[items.HELD] else ""
    click.echo(
        f"批次 {batch_id}:共 {c['total']} 个文件,入库 {c[Status.DONE] - c[items.DUPLICATE] - c[items.HELD]},{held}"
        f"重复未入库 {c[items.DUPLICATE]},失败 {c[Status.FAILED]},"
        f"排队 {c[Status.QUEUED]},处理中 {c[Status.RUNNING]}"
    )
    rows = report.rows(batch_id)
    for outcome, label in ((Status.FAILED, "失败"), (items.HELD, "待确认")):
        shown = [r for r in rows if r["outcome"] == outcome]
        for r in shown[:FAILURES_SHOWN]:
            click.echo(f"  {label} {r['path']}:{r['error_message']} [{r['error_code']}]")
        if len(shown) > FAILURES_SHOWN:
            click.echo(f"  …… 另有 {len(shown) - FAILURES_SHOWN} 个{label}文件")
    for r in [r for r in rows if r["replaced"]][:FAILURES_SHOWN]:
        click.echo(f"  {r['path']}:{r['version_text']}")
    click.echo(f"完整报告:lianfang batch-report {batch_id} --out 报告.xlsx")


@cli.command("batch", help="批量导入文件夹中的表格(含 .zip 压缩包) (Ingest every form under DIR, zip archives included)")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--unit-from", type=click.Choice(UNIT_FROM), default="folder", show_default=True,
              help="按子文件夹名、文件名或表内填报单位确定单位 (Attribute units by folder, file name or the form)")
@click.option("--pattern", help="文件名规则(正则,命名组 unit) (File-name regex with a named group 'unit')")
@click.option("--queue", is_flag=True,
              help="交给 Redis 队列由 lianfang worker 处理;设置了 LIANFANG_REDIS_URL 时为默认 (Use RQ workers)")
@click.option("--campaign", help="所属工作,默认最近一次 (Campaign name or id; default: the latest)")
@click.option("--workers", type=click.IntRange(1, 64), help="本机并行进程数,默认为 CPU 核数 (In-process pool size)")
def batch_cmd(directory: Path, unit_from: str, pattern: str | None, queue: bool, campaign: str | None,
              workers: int | None) -> None:
    from service.batch import report
    from service.batch.run import run_batch
    from service.store.models import BatchItemStatus as Status

    on_interrupt(RESUME_HINT)
    queue = queue or settings().redis_url is not None
    batch_id = run_batch(directory, unit_from=unit_from, queue=queue, pattern=pattern, campaign=campaign,
                         workers=workers, progress=None if queue else sys.stderr)
    if queue:
        c = report.status(batch_id)["counts"]
        processed = c[Status.DONE] + c[Status.FAILED]  # workers start while the folder is still being recorded
        click.echo(f"批次 {batch_id}:共 {c['total']} 个文件,由 lianfang worker 处理,已处理 {processed} 个;"
                   f"进度:lianfang batch-status {batch_id}")
        return
    _summary(batch_id)


@cli.command("batch-status", help="查看批次进度 (Show a batch's progress)")
@click.argument("batch_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (Print JSON)")
def batch_status_cmd(batch_id: int, as_json: bool) -> None:
    from service.batch import report

    info = report.status(batch_id)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    c = info["counts"]
    state = "已完成" if info["finished"] else "进行中"
    click.echo(f"批次 {batch_id}({state},{info['source']})")
    click.echo(f"  排队 {c['queued']}  处理中 {c['running']}  完成 {c['done']}  失败 {c['failed']}  共 {c['total']}")
    if info["rate_per_s"]:
        left = f",预计还需 {info['seconds_left']} 秒" if info["seconds_left"] else ""
        click.echo(f"  速度 {info['rate_per_s']} 份/秒{left}")


@cli.command("batch-report", help="导出批次报告 .xlsx 或 .json (Write the batch report, by the --out suffix)")
@click.argument("batch_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件 .xlsx 或 .json (Output file)")
def batch_report_cmd(batch_id: int, out: Path) -> None:
    from service.batch import report

    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(report.report_json(batch_id), ensure_ascii=False, indent=1), encoding="utf-8")
    elif out.suffix.lower() == ".xlsx":
        out.write_bytes(report.report_xlsx(batch_id))
    else:
        raise click.BadParameter("报告文件名须以 .xlsx 或 .json 结尾", param_hint="--out")
    click.echo(f"已写入 {out}")


@cli.command("worker", help="运行 RQ 队列处理进程 (Run an RQ worker on the lianfang queue)")
@click.option("--burst", is_flag=True, help="队列为空即退出 (Quit when the queue is empty)")
def worker_cmd(burst: bool) -> None:
    from service.batch.rq_queue import work

    on_interrupt(RESUME_HINT)
    work(burst=burst)


@cli.command("reconcile", help="恢复中断的批次:重新排队卡住或丢失的文件 (Resume interrupted batches)")
@click.option("--older-than", type=click.FloatRange(min=0),
              help="处理超过该秒数即视为中断,默认为单个文件的时限 (Seconds before a running file counts as lost)")
def reconcile_cmd(older_than: float | None) -> None:
    from service.batch.run import reconcile

    on_interrupt(RESUME_HINT)
    touched = reconcile(older_than=older_than, progress=sys.stderr)
    if not touched:
        click.echo("没有需要恢复的批次")
    for batch_id in touched:
        _summary(batch_id)
