"""Characters to text: the glyph repairs PDF exports need, and lines and cells from glyphs.

Word/WPS exports draw fake bold as the same glyph twice, sometimes encode ideographs as
Kangxi radicals (⼀⽅⾏ for 一方行) and type ticks in Wingdings; a PDF has no line breaks,
so whether a cell's line wrapped or ended on purpose is read from where it stops.
"""

from __future__ import annotations

import unicodedata

WRAP_CHARS = 2.5  # a cell line ending closer than this many characters to the cell's edge wrapped

# CJK Radicals Supplement forms that stand for a unified ideograph (NFKC knows only two of them).
RADICAL_SUPPLEMENT = dict(
    zip(
        "⺁⺇⺊⺌⺎⺒⺓⺜⺝⺟⺠⺩⺮⻁⻄⻅⻆⻉⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
        "厂几卜小兀巳幺日月母民王竹虎西见角贝车長长门雨青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
        strict=True,
    )
)
# (Wingdings 2?, code point) of the tick and box marks forms use in level columns.
SYMBOL_TICKS = {
    (False, "ü"): "√", (False, "þ"): "☑", (False, "û"): "×", (False, "ý"): "☒", (False, "¨"): "☐",
    (True, "P"): "√", (True, "R"): "☑", (True, "O"): "×", (True, "T"): "☒", (True, "£"): "☐",
}  # fmt: skip
Box = tuple[float, float, float, float]


def page_chars(page) -> list[dict]:
    """The page's visible glyphs, repaired, each drawn once."""
    return drawn_once([dict(c, text=fix_glyph(c)) for c in page.chars if c["text"].strip()])


def drawn_once(chars: list[dict]) -> list[dict]:
    """Drop glyphs drawn again within a point of the same glyph (fake bold: "序序号号").
    pdfplumber's dedupe_chars does this too, at a third of the page's reading time."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        x, y = round(ch["x0"]), round(ch["top"])
        if any((ch["text"], x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((ch["text"], x, y))
        out.append(ch)
    return out


def fix_glyph(ch: dict) -> str:
    text = ch["text"]
    # Kangxi Radicals and CJK Compatibility Ideographs: NFKC maps each to its unified ideograph
    if "\u2f00" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff":
        return unicodedata.normalize("NFKC", text)
    font = ch["fontname"].replace(" ", "")
    series = font.partition("Wingdings")[2][:1]
    if "Wingdings" in font and series != "3":  # a tick typed in a symbol font: Latin-1 or private-use code
        code = chr(ord(text) - 0xF000) if "\uf000" <= text <= "\uf0ff" else text
        return SYMBOL_TICKS.get((series == "2", code), text)
    return RADICAL_SUPPLEMENT.get(text, text)


def group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters in reading order, grouped into lines (sorted left to right)."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and ch["top"] - lines[-1][0]["top"] < max(3.0, 0.4 * ch["size"]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def line_text(line: list[dict]) -> str:
    out = line[0]["text"]
    for before, ch in zip(line, line[1:], strict=False):
        if ch["x0"] - before["x1"] > 0.5 * ch["size"]:
            out += " "
        out += ch["text"]
    return out


def text_lines(chars: list[dict]) -> list[tuple[float, str]]:
    """(top, text) of every line the characters form."""
    return [(line[0]["top"], line_text(line)) for line in group_lines(chars)]


def cell_text(chars: list[dict], right: float) -> str:
    """Lines of a cell joined: a line that ran to the cell's edge wrapped (joined without
    a break, a space only between Latin letters or digits); a short line ended on purpose."""
    text = ""
    lines = group_lines(chars)
    for i, line in enumerate(lines):
        part = line_text(line)
        if i:
            last = lines[i - 1][-1]
            if right - last["x1"] >= WRAP_CHARS * last["size"]:
                text += "\n"
            else:
                text += joiner(text, part)
        text += part
    return text


def joiner(head: str, tail: str) -> str:
    """What joins a wrapped line to the next: nothing in Chinese, a space between Latin words."""
    latin = head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum()
    return " " if latin else ""


def centre(ch: dict) -> tuple[float, float]:
    return (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2


def inside(ch: dict, box: Box) -> bool:
    x, y = centre(ch)
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]
