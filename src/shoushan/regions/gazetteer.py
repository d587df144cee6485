"""Free-text address → the most specific region it names (pure; no Django import).

The gazetteer is built from the divisions, passed in as (code, name, level, parent_code) tuples.
Every region is known by its full name and by its short forms: the committee suffix dropped
(多福巷社区居委会 → 多福巷社区), then the kind suffix (→ 多福巷); 三里屯街道 → 三里屯, 朝阳区 →
朝阳, 北京市 → 北京. Short forms of fewer than two characters are not used.

Parsing scans the text once: at each position the longest known name is taken (a dict lookup
per candidate length), which gives the mentions. A name may denote several regions; within one
mention a region whose ancestor the same name also denotes is dropped ("海淀" is 海淀区, not the
海淀街道 inside it). Each region denoted by some mention is then scored by its support: how many
mentions denote it or one of its ancestors. The regions of highest support must lie on one line
of descent, and the deepest of them is the answer; otherwise the text is ambiguous (two
communities of the same name with nothing to tell them apart, or a street that is not inside the
district named) and the candidates are returned, never a guess.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

LEVEL_DEPTH = {"province": 0, "city": 1, "district": 2, "street": 3, "community": 4}

FOUND = "found"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"

# Form ranks: 0 the full name, 1 the committee suffix dropped, 2 the kind suffix dropped too.
_COMMITTEE = re.compile(r"(居民委员会|村民委员会|居委会|村委会|委员会|办事处)$")
_KIND = {
    "city": re.compile(r"(市)$"),
    "province": re.compile(r"(省|自治区|市)$"),
    "district": re.compile(r"(区|县)$"),
    "street": re.compile(r"(街道|地区|镇|乡)$"),
    "community": re.compile(r"(社区|村)$"),
}
_SEPARATORS = re.compile(r"\s+")  # names hold punctuation (铁道部住宅区第二、一社区), not spaces
MIN_SHORT_FORM = 2


@dataclass(frozen=True)
class Mention:
    """A stretch of the text that names one or more regions."""

    text: str
    start: int
    codes: tuple[str, ...]
    # regions the name denotes too but that lie inside one in `codes` (三里屯 the community
    # inside 三里屯街道): meant when the text has named the outer one already
    inner: tuple[str, ...] = ()


@dataclass(frozen=True)
class AddressResult:
    """`status` is found (then `code` and `level` are set), ambiguous (`candidates` lists the
    regions it could be) or not_found."""

    status: str
    code: str | None = None
    level: str | None = None
    candidates: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = field(default=(), repr=False)


def name_forms(name: str, level: str) -> list[str]:
    """The full name and its short forms, full first (e.g. 幸福二村社区居委会, 幸福二村社区,
    幸福二村)."""
    name = name.strip()
    forms = [name]
    without_committee = _COMMITTEE.sub("", name)
    if without_committee != name:
        forms.append(without_committee)
    pattern = _KIND.get(level)
    if pattern is not None:
        stem = pattern.sub("", without_committee)
        if stem != without_committee:
            forms.append(stem)
    return [f for i, f in enumerate(forms) if i == 0 or len(f) >= MIN_SHORT_FORM]


class Gazetteer:
    """The names of the divisions, for parsing addresses."""

    def __init__(self, regions: Iterable[tuple[str, str, str, str | None]]) -> None:
        self.level: dict[str, str] = {}
        self.parent: dict[str, str | None] = {}
        self.name: dict[str, str] = {}
        index: dict[str, set[str]] = {}
        for code, name, level, parent_code in regions:
            if level not in LEVEL_DEPTH:
                continue
            self.level[code] = level
            self.parent[code] = parent_code
            self.name[code] = name
            for form in name_forms(name, level):
                index.setdefault(form, set()).add(code)
        self.names: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
            form: self._denotations(codes) for form, codes in index.items()
        }
        self.lengths = sorted({len(form) for form in self.names}, reverse=True)
        self._ancestors: dict[str, tuple[str, ...]] = {}

    def ancestors(self, code: str) -> tuple[str, ...]:
        """The codes above a region, nearest first."""
        found = self._ancestors.get(code)
        if found is None:
            chain = []
            parent = self.parent.get(code)
            while parent is not None and parent in self.level:
                chain.append(parent)
                parent = self.parent.get(parent)
            found = self._ancestors[code] = tuple(chain)
        return found

    def _denotations(self, codes: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What a name denotes: (the regions none of whose ancestors bears the name too, the
        others)."""
        inner = {c for c in codes if any(a in codes for a in self._chain(c))}
        return tuple(sorted(codes - inner)), tuple(sorted(inner))

    def _chain(self, code: str) -> list[str]:
        chain = []
        parent = self.parent.get(code)
        while parent is not None:
            chain.append(parent)
            parent = self.parent.get(parent)
        return chain

    def mentions(self, text: str) -> list[Mention]:
        """The names in the text, longest first at each position, left to right."""
        found = []
        for piece_start, piece in _pieces(text):
            i, n = 0, len(piece)
            while i < n:
                for length in self.lengths:
                    if length > n - i:
                        continue
                    denoted = self.names.get(piece[i : i + length])
                    if denoted is not None:
                        found.append(Mention(piece[i : i + length], piece_start + i, *denoted))
                        i += length
                        break
                else:
                    i += 1
        return found

    def parse(self, text: str) -> AddressResult:
        """The most specific region the address names, or the candidates if it is ambiguous."""
        mentions = self.mentions(text or "")
        if not mentions:
            return AddressResult(NOT_FOUND)
        named: set[str] = set()
        for i, mention in enumerate(mentions):
            again = named.intersection(mention.codes)
            if mention.inner and again:
                # 三里屯街道三里屯: the outer region is named already, so the inner one is meant
                inner = [c for c in mention.inner if again.intersection(self.ancestors(c))]
                codes = sorted(set(mention.codes) - again | set(inner))
                mentions[i] = Mention(mention.text, mention.start, tuple(codes))
            named.update(mention.codes)
        support: dict[str, int] = {}
        for mention in mentions:
            for code in mention.codes:
                support.setdefault(code, 0)
        for code in support:
            line = {code, *self.ancestors(code)}
            support[code] = sum(1 for m in mentions if not line.isdisjoint(m.codes))
        top = max(support.values())
        best = [c for c, s in support.items() if s == top]
        # the deepest ones: those that are no other best region's ancestor
        leaves = [c for c in best if not any(c in self.ancestors(o) for o in best if o != c)]
        if len(leaves) == 1:
            code = leaves[0]
            return AddressResult(FOUND, code, self.level[code], (code,), tuple(mentions))
        return AddressResult(AMBIGUOUS, None, None, tuple(sorted(leaves)), tuple(mentions))


def _pieces(text: str) -> list[tuple[int, str]]:
    """The text split at separators (spaces, commas…), with each piece's offset."""
    pieces, start = [], 0
    for match in _SEPARATORS.finditer(text):
        if match.start() > start:
            pieces.append((start, text[start : match.start()]))
        start = match.end()
    if start < len(text):
        pieces.append((start, text[start:]))
    return pieces


def read_beijing_divisions(directory) -> list[tuple[str, str, str, str | None]]:
    """Beijing's city, districts, streets and communities as (code, name, level, parent_code)
    from the division files (areas.csv, beijing_streets.csv, beijing_villages.csv) in
    `directory`, codes padded to 12 digits; for tests and benchmarks without a database."""
    import csv
    from pathlib import Path

    def read(name: str) -> list[dict[str, str]]:
        with (Path(directory) / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def pad(code: str) -> str:
        return code.ljust(12, "0")

    rows: list[tuple[str, str, str, str | None]] = [(pad("11"), "北京市", "city", None)]
    rows += [
        (pad(r["code"]), r["name"], "district", pad("11"))
        for r in read("areas.csv")
        if r["provinceCode"] == "11"
    ]
    rows += [
        (pad(r["code"]), r["name"], "street", pad(r["areaCode"]))
        for r in read("beijing_streets.csv")
    ]
    rows += [
        (r["code"], r["name"], "community", pad(r["streetCode"]))
        for r in read("beijing_villages.csv")
    ]
    return rows
