"""A readable comparison of two versions: changed lines, with the changed words marked."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Words, runs of spaces and single punctuation marks: a changed comma shows as a comma.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# Unchanged lines shown around each change; longer unchanged runs fold into one row.
CONTEXT_LINES = 2


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool = False


@dataclass
class DiffLine:
    op: str  # "same", "added", "removed" or "fold"
    segments: list[Segment] = field(default_factory=list)
    old_number: int | None = None
    new_number: int | None = None
    folded: int = 0

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


def _word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    removed: list[Segment] = []
    added: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            removed.append(Segment("".join(old_tokens[i1:i2])))
            added.append(Segment("".join(new_tokens[j1:j2])))
            continue
        if i2 > i1:
            removed.append(Segment("".join(old_tokens[i1:i2]), changed=True))
        if j2 > j1:
            added.append(Segment("".join(new_tokens[j1:j2]), changed=True))
    return removed, added


def _fold(lines: list[DiffLine]) -> list[DiffLine]:
    """Fold long runs of unchanged lines, keeping CONTEXT_LINES around each change."""
    keep = [line.op != "same" for line in lines]
    for index, line in enumerate(lines):
        if line.op != "same":
            for near in range(max(0, index - CONTEXT_LINES), index + CONTEXT_LINES + 1):
                if near < len(lines):
                    keep[near] = True
    folded: list[DiffLine] = []
    run = 0
    for line, kept in zip(lines, keep, strict=True):
        if kept:
            if run:
                folded.append(DiffLine("fold", folded=run))
                run = 0
            folded.append(line)
        else:
            run += 1
    if run:
        folded.append(DiffLine("fold", folded=run))
    return folded


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Compare two texts line by line; pair replaced lines and mark their changed words."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset, text in enumerate(old_lines[i1:i2]):
                lines.append(DiffLine("same", [Segment(text)], i1 + offset + 1, j1 + offset + 1))
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        removed_rows, added_rows = [], []
        for offset in range(paired):
            removed, added = _word_diff(old_lines[i1 + offset], new_lines[j1 + offset])
            removed_rows.append(DiffLine("removed", removed, old_number=i1 + offset + 1))
            added_rows.append(DiffLine("added", added, new_number=j1 + offset + 1))
        for index in range(i1 + paired, i2):
            segments = [Segment(old_lines[index], changed=True)]
            removed_rows.append(DiffLine("removed", segments, old_number=index + 1))
        for index in range(j1 + paired, j2):
            segments = [Segment(new_lines[index], changed=True)]
            added_rows.append(DiffLine("added", segments, new_number=index + 1))
        lines.extend(removed_rows)
        lines.extend(added_rows)
    return _fold(lines)
