"""Repair emoji and punctuation that were UTF-8 encoded twice (read as Windows-1252 or -1254).

A plan saved as UTF-8, opened as Windows-1252 and saved again as UTF-8 shows ``ðŸš€`` for 🚀 and
``âœ…`` for ✅: each byte of the character became the letter that code page gives it. This
module turns such runs back into the character they were. Windows-1252 has no letter for five
bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D), which were therefore lost: a run one byte short is
restored when exactly one of the candidates is an emoji-like symbol (``âŒ`` is ❌), and
removed otherwise (``ğŸ”`` was one of 🔁 🔍 🔏 🔐 🔝: a heading keeps its words, not a
guess). Text that does not decode is left as it is.
"""

from __future__ import annotations

import re

# code pages seen in the wild for this mistake; a letter maps to the byte it stands for
_CODEPAGES = ("cp1252", "cp1254")
_LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # bytes Windows-1252 has no letter for
_LOST_1254 = (0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E)  # ... and Windows-1254
_TURKISH = set("ĞğİıŞş")  # letters only Windows-1254 has: the run was read with it
_VS16 = "\ufe0f"  # emoji presentation selector


def _byte_of() -> dict[str, int]:
    table: dict[str, int] = {}
    for codepage in _CODEPAGES:
        for byte in range(0x80, 0x100):
            try:
                table.setdefault(bytes([byte]).decode(codepage), byte)
            except UnicodeDecodeError:
                continue
    for byte in _LOST_1254:  # kept as C1 controls by some converters
        table.setdefault(chr(byte), byte)
    return table


_BYTE_OF = _byte_of()
_LEADS = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0xC2 <= b <= 0xF4)
_CONTS = "".join(re.escape(c) for c, b in _BYTE_OF.items() if 0x80 <= b <= 0xBF)
_RUN = re.compile(f"[{_LEADS}][{_CONTS}]{{1,3}}")

# emoji-like symbols: the characters a plan decorates headings and lists with
_PICTOGRAPH_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x2767),
    (0x2776, 0x27BF),  # dingbats without the ornamental brackets
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
)
_PICTOGRAPHS = set("⌚⌛⌨⏏⏩⏪⏫⏬⏭⏮⏯⏰⏱⏲⏳⏸⏹⏺〰〽㊗㊙©®™‼⁉\u2139" + _VS16)


def pictograph(char: str) -> bool:
    """Whether ``char`` is an emoji-like symbol (the decoration of headings and lists)."""
    code = ord(char)
    return char in _PICTOGRAPHS or any(lo <= code <= hi for lo, hi in _PICTOGRAPH_RANGES)


def _length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _decode(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if len(text) == 1 else None


def _candidates(raw: bytes, lost: tuple[int, ...]) -> set[str]:
    """The characters ``raw`` can be with one lost byte put back anywhere after the lead."""
    found: set[str] = set()
    for at in range(1, len(raw) + 1):
        for byte in lost:
            char = _decode(raw[:at] + bytes([byte]) + raw[at:])
            if char is not None and pictograph(char):
                found.add(char)
    return found


def _repair_run(run: str) -> tuple[str, int]:
    """The repaired text of the run's first sequence, and how many characters it used."""
    raw = bytes(_BYTE_OF[c] for c in run)
    need = _length(raw[0])
    if len(raw) >= need:
        char = _decode(raw[:need])
        return (char, need) if char is not None else (run[0], 1)
    if len(raw) == need - 1:
        options = _candidates(raw, _LOST_1254 if _TURKISH & set(run) else _LOST)
        if len(options) == 1:
            return options.pop(), len(raw)
        return "", len(raw)  # a byte lost and no single likely character: drop the remains
    return run[0], 1


def repair(text: str) -> str:
    """``text`` with double-encoded UTF-8 sequences turned back into their characters."""
    if not _RUN.search(text):
        return text
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _RUN.search(text, pos)
        if match is None:
            out.append(text[pos:])
            break
        out.append(text[pos : match.start()])
        fixed, used = _repair_run(match.group())
        out.append(fixed)
        pos = match.start() + used
        if (
            not fixed
            and text[pos : pos + 1] == " "
            and text[match.start() - 1 : match.start()] in ("", " ")
        ):
            pos += 1  # "-  Fixed" would keep the space of the dropped emoji
    return _orphan_selectors("".join(out))


def _orphan_selectors(text: str) -> str:
    """Drop emoji presentation selectors whose emoji was dropped."""
    if _VS16 not in text:
        return text
    kept = [c for i, c in enumerate(text) if c != _VS16 or (i > 0 and pictograph(text[i - 1]))]
    return "".join(kept)
