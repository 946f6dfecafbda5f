"""Cell values as staff type them: amounts in 万元/亿元, yes/no, name lists, credit codes.

Every parser here takes the cell text and either returns the value or raises
:class:`ValueError` whose message is the reason a row is refused (the importer puts it in
the bad-row report beside the row number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..model import MAX_NUMBER

#: yuan per unit, for the units a header or a cell may carry
UNIT_YUAN: dict[str, int] = {
    "元": 1,
    "千元": 1_000,
    "万元": 10_000,
    "万": 10_000,
    "百万元": 1_000_000,
    "亿元": 100_000_000,
    "亿": 100_000_000,
}

#: words that make an amount approximate or a bound; such a cell is refused, not rounded
_QUALIFIERS = ("约", "大约", "近", "超", "超过", "逾", "余", "多", "以上", "以下", "左右", "不到")

_QUALIFIER_RE = re.compile("|".join(map(re.escape, _QUALIFIERS)))
_SPACE_RE = re.compile(r"\s+")
_RANGE_RE = re.compile(r"\d\s*[-~至到]\s*\d")
_AMOUNT_RE = re.compile(
    r"^(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>千元|百万元|万元|亿元|万|亿|元)?$"
)


#: names of totals rows, skipped (after punctuation and spaces are removed)
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "total", "subtotal", "sum"})

_HAS_UNIT_RE = re.compile(r"[元万亿]")


def has_unit(text: str) -> bool:
    """True when an amount cell names its unit (元, 万 or 亿 in it)."""
    return _HAS_UNIT_RE.search(text) is not None


@dataclass(frozen=True)
class Amount:
    """A money amount read from a cell: ``yuan`` normalised, ``text`` as the cell wrote it."""

    yuan: int | float
    text: str


def parse_amount(text: str, default_unit: str | None = "元") -> Amount:
    """Read a money amount such as ``3,000``, ``1.2亿`` or ``５０００万元`` into yuan.

    A unit in the cell wins over ``default_unit`` (the unit of the column header, e.g. 万元 for
    a column ``产值(万元)``). Commas are thousands separators only: ``1,2亿`` is refused, as
    is any approximate amount (``约3000万``, ``超1亿``) or a range.

    Parameters
    ----------
    text : str
        The cell text (full-width digits and commas are accepted).
    default_unit : str or None
        One of :data:`UNIT_YUAN`; None refuses a cell without its own unit.

    Returns
    -------
    Amount
        ``yuan`` is an int when whole, else a float.

    Raises
    ------
    ValueError
        The reason the amount cannot be read.

    Examples
    --------
    >>> parse_amount("3,000", "万元")
    Amount(yuan=30000000, text='3,000')
    >>> parse_amount("1.2亿").yuan
    120000000
    >>> parse_amount("约3000万")
    Traceback (most recent call last):
    ...
    ValueError: approximate amount '约3000万': give an exact number
    """
    original = text.strip()
    folded = unicodedata.normalize("NFKC", original)
    folded = _SPACE_RE.sub("", folded).replace("人民币", "").replace("RMB", "")
    if folded.startswith("¥"):
        folded = folded[1:]
    if not folded:
        raise ValueError("empty amount")
    if _QUALIFIER_RE.search(folded):
        raise ValueError(f"approximate amount '{original}': give an exact number")
    if _RANGE_RE.search(folded):
        raise ValueError(f"range '{original}': give one number")
    match = _AMOUNT_RE.match(folded)
    if not match:
        if re.match(r"^\d+(?:,\d+)+(?:\.\d+)?", folded):
            raise ValueError(
                f"amount '{original}' has a comma that is not a thousands separator "
                "(groups of three digits): use '.' for decimals"
            )
        raise ValueError(f"unreadable amount '{original}': write a number such as 3000 or 1.2亿")
    unit = match.group("unit") or default_unit
    if unit is None:
        raise ValueError(
            f"amount '{original}' has no unit: write it in the header, e.g. 产值(万元), "
            "or in the cell, e.g. 3000万"
        )
    if unit not in UNIT_YUAN:
        raise ValueError(f"unknown unit '{unit}'")
    number = Decimal(match.group("num").replace(",", "") + (match.group("frac") or ""))
    try:
        value = number * UNIT_YUAN[unit]
    except InvalidOperation as exc:  # pragma: no cover - regex admits only digits
        raise ValueError(f"unreadable amount '{original}'") from exc
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"amount '{original}' is beyond 10^15 yuan: check the unit")
    if value == value.to_integral_value():
        return Amount(int(value), original)
    return Amount(float(value), original)


_TRUE = {"是", "true", "yes", "y", "1", "√", "✓", "规上", "t"}
_FALSE = {"否", "false", "no", "n", "0", "×", "✗", "规下", "f"}


def parse_bool(text: str) -> bool:
    """Read a yes/no cell (是/否, true/false, yes/no, 1/0, √/×, 规上/规下).

    >>> parse_bool("是"), parse_bool("ＮＯ")
    (True, False)
    """
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"unreadable yes/no '{text.strip()}': write 是 or 否")


_SEPARATORS = frozenset("、,，;；\n")
_OPENING = frozenset("(（[【〔")
_CLOSING = frozenset(")）]】〕")
_SPLIT_RE = re.compile("[" + re.escape("".join(sorted(_SEPARATORS | _OPENING | _CLOSING))) + "]")


def split_names(text: str) -> list[str]:
    """Split a cell listing several names on 、 , ， ; ； and line breaks outside brackets.

    A separator inside brackets belongs to the name: ``集流体(铜箔、铝箔)`` is one segment.

    >>> split_names("甲公司、乙公司；丙公司,, ")
    ['甲公司', '乙公司', '丙公司']
    >>> split_names("集流体(铜箔、铝箔)、电芯")
    ['集流体(铜箔、铝箔)', '电芯']
    """
    if not _SPLIT_RE.search(text):  # most cells name one thing
        return [text.strip()] if text.strip() else []
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth = max(depth - 1, 0)
        elif ch in _SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check code
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015).

    >>> credit_check_char("91350100M000100Y4")  # the example code of the standard
    '3'
    """
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(text: str) -> str:
    """Check a 统一社会信用代码 (18 characters, GB 32100-2015 check code); return it upper-case.

    >>> parse_credit_code(" 91350100m000100y43 ")
    '91350100M000100Y43'
    >>> parse_credit_code("91350100M000100Y44")
    Traceback (most recent call last):
    ...
    ValueError: credit code '91350100M000100Y44' fails its check character (expected '3')
    """
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if len(code) != 18:
        raise ValueError(f"credit code '{text.strip()}' has {len(code)} characters, not 18")
    bad = sorted({c for c in code if c not in CREDIT_ALPHABET})
    if bad:
        raise ValueError(f"credit code '{code}' has characters not allowed: {''.join(bad)}")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(f"credit code '{code}' fails its check character (expected '{expected}')")
    return code


def parse_count(text: str) -> int:
    """Read a whole number such as ``1,200`` or ``１２００人``.

    >>> parse_count("1,200人")
    1200
    """
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).removesuffix("人")
    if _QUALIFIER_RE.search(folded):
        raise ValueError(f"approximate number '{text.strip()}': give an exact number")
    if not re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", folded):
        raise ValueError(f"unreadable number '{text.strip()}': write digits such as 1200")
    number = int(folded.replace(",", ""))
    if number > MAX_NUMBER:
        raise ValueError(f"number '{text.strip()}' is beyond 10^15: check the cell")
    return number
