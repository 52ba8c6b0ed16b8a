"""Warnings that let a reviewer check what recognition read: overall and per weak cell."""

from __future__ import annotations

from parsers.grid import Cell, Grid
from parsers.model import ParseWarning

LOW_CONFIDENCE = 0.8
LISTED = 20  # cells spelled out in the message; all of them are in `location`


def _origins(grid: Grid) -> list[Cell]:
    return [cell for r, row in enumerate(grid.rows) for c, cell in enumerate(row) if cell.is_origin(r, c)]


def ocr_warnings(grids: list[Grid]) -> list[ParseWarning]:
    """For each recognised table: its mean confidence, and the cells read with low confidence.

    A cell with ink that could not be read at all has confidence 0 and no text; it is
    listed too (「无法识别」), since a reviewer must fill it in by hand.
    """
    out = []
    for grid in grids:
        if not grid.ocr:
            continue
        cells = [c for c in _origins(grid) if c.confidence is not None]
        if not cells:
            continue
        page = next((p for p in grid.row_pages if p is not None), None)
        where = f"第{page}页" if page else "扫描件"
        mean = sum(c.confidence for c in cells) / len(cells)
        out.append(ParseWarning(
            "ocr",
            f"{where}表格为扫描件,经文字识别读取(平均置信度{mean:.2f}),请人工核对识别结果",
            {"page": page, "confidence": round(mean, 3)},
        ))
        weak = [c for c in cells if c.confidence < LOW_CONFIDENCE]
        if weak:
            listed = "、".join(
                f"第{c.row + 1}行第{c.col + 1}列「{c.text[:20] or '无法识别'}」({c.confidence:.2f})" for c in weak[:LISTED]
            )
            more = f"等{len(weak)}处" if len(weak) > LISTED else ""
            out.append(ParseWarning(
                "ocr_low_confidence",
                f"{where}以下单元格识别置信度较低,请核对:{listed}{more}",
                {
                    "page": page,
                    "cells": [
                        {"row": c.row + 1, "col": c.col + 1, "text": c.text, "confidence": round(c.confidence, 3)}
                        for c in weak
                    ],
                },
            ))
    return out
