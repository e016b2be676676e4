"""ADF REST ``q`` filters as a Fusion pod reads them (``fusion-api.md`` §4.1, §4.2, §11.7, §11.8).

* REST framework version 1: query by example only, ``Attr=value;Attr=value``.
* Version 2 and later: expressions with ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``LIKE``,
  ``IN (...)``, ``IS [NOT] NULL``, ``and``, ``or`` and parentheses; quoted strings (a quote
  inside is doubled) and timestamps; the attribute may be left out after ``and``/``or`` inside
  a group, as in Oracle's example ``(Deptno>=10 and <= 30)``.

Values are typed by the attribute's kind: ``int``, ``num`` (Decimal), ``str``, ``date``
(``YYYY-MM-DD``) and ``ts`` (ISO 8601; without an offset the literal is read in the user's time
zone, as Fusion does). Timestamps compare in UTC to the millisecond. A syntax error, an unknown
attribute or a value of the wrong type raises :class:`QueryError` (the pod answers 400).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\()|(?P<rp>\))|(?P<comma>,)|
        (?P<op>>=|<=|!=|<>|=|<|>)|
        (?P<str>'(?:[^']|'')*'|"(?:[^"]|"")*")|
        (?P<word>[^\s()'",=<>!]+)
    )""",
    re.X,
)
_QUOTED = re.compile(r"""^(?:'(?:[^']|'')*'|"(?:[^"]|"")*")$""")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
KEYWORDS = {"and", "or", "like", "in", "is", "not", "null"}


class QueryError(ValueError):
    """A ``q`` the pod refuses with 400."""


def truncate_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_timestamp(text: str, zone: str = "UTC") -> datetime:
    """A timestamp literal as aware UTC, truncated to the millisecond; naive = ``zone``."""
    match = _TIMESTAMP.match(text.strip())
    if not match:
        raise ValueError(text)
    day, clock, fraction, offset = match.groups()
    iso = f"{day}T{clock or '00:00'}"
    if clock and len(clock) == 5:
        iso += ":00"
    iso += "." + (fraction or "0")[:6].ljust(6, "0")
    if offset:
        iso += "+00:00" if offset == "Z" else offset
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return truncate_ms(moment.astimezone(UTC))


def coerce(value, kind: str, zone: str = "UTC"):
    """A stored or literal value in comparable form; ValueError when it does not fit ``kind``."""
    if value is None:
        return None
    if kind == "ts":
        if isinstance(value, datetime):
            return truncate_ms(value.astimezone(UTC))
        return parse_timestamp(str(value), zone)
    if kind == "date":
        if isinstance(value, date):
            return value if not isinstance(value, datetime) else value.date()
        return date.fromisoformat(str(value).strip())
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError(value)
        return int(str(value).strip())
    if kind == "num":
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(value) from None
    return str(value)


def like_pattern(pattern: str) -> re.Pattern:
    """SQL LIKE (``%``, ``_``; ADF also takes ``*``) as an anchored regular expression."""
    parts = []
    for char in pattern:
        parts.append({"%": ".*", "*": ".*", "_": "."}.get(char) or re.escape(char))
    return re.compile("^" + "".join(parts) + "$", re.S)


# -- expression tree ------------------------------------------------------------------------


@dataclass
class Compare:
    attr: str
    op: str  # = != < <= > >=
    value: object

    def test(self, row_value) -> bool:
        if row_value is None or self.value is None:
            return False
        if self.op == "=":
            return row_value == self.value
        if self.op == "!=":
            return row_value != self.value
        if self.op == "<":
            return row_value < self.value
        if self.op == "<=":
            return row_value <= self.value
        if self.op == ">":
            return row_value > self.value
        return row_value >= self.value


@dataclass
class Like:
    attr: str
    pattern: re.Pattern
    negated: bool = False

    def test(self, row_value) -> bool:
        if row_value is None:
            return False
        return bool(self.pattern.match(str(row_value))) != self.negated


@dataclass
class InList:
    attr: str
    values: list
    negated: bool = False

    def test(self, row_value) -> bool:
        if row_value is None:
            return False
        return (row_value in self.values) != self.negated


@dataclass
class IsNull:
    attr: str
    negated: bool = False

    def test(self, row_value) -> bool:
        return (row_value is None) != self.negated


@dataclass
class BoolOp:
    op: str  # and / or
    left: object
    right: object


class Query:
    """A compiled ``q``: ``matches(row)`` with ``row`` a dict of typed values."""

    def __init__(self, tree, kinds: dict, zone: str):
        self.tree = tree
        self.kinds = kinds
        self.zone = zone

    def matches(self, row: dict) -> bool:
        return self._eval(self.tree, row)

    def _eval(self, node, row) -> bool:
        if node is None:
            return True
        if isinstance(node, BoolOp):
            if node.op == "and":
                return self._eval(node.left, row) and self._eval(node.right, row)
            return self._eval(node.left, row) or self._eval(node.right, row)
        try:
            value = coerce(row.get(node.attr), self.kinds[node.attr], self.zone)
        except ValueError:
            return False
        return node.test(value)

    def bounds(self, attr: str) -> tuple:
        """``(lower, upper)`` put on ``attr`` by comparisons AND-ed at the top level (or None)."""
        lower = upper = None
        for node in self._conjuncts(self.tree):
            if not isinstance(node, Compare) or node.attr != attr:
                continue
            if node.op in (">", ">=", "="):
                lower = node.value if lower is None else max(lower, node.value)
            if node.op in ("<", "<=", "="):
                upper = node.value if upper is None else min(upper, node.value)
        return lower, upper

    def _conjuncts(self, node):
        if isinstance(node, BoolOp) and node.op == "and":
            yield from self._conjuncts(node.left)
            yield from self._conjuncts(node.right)
        elif node is not None:
            yield node


def compile_query(text: str, version: int, kinds: dict, zone: str = "UTC") -> Query:
    """``q`` for a resource whose attributes have ``kinds``; QueryError when the pod says 400."""
    if not (text or "").strip():
        return Query(None, kinds, zone)
    if version < 2:
        return Query(_parse_qbe(text, kinds, zone), kinds, zone)
    return Query(_Parser(text, kinds, zone).parse(), kinds, zone)


def _typed(attr: str, raw: str, kinds: dict, zone: str):
    if attr not in kinds:
        raise QueryError(f"The attribute {attr} is not a valid attribute of this resource.")
    try:
        return coerce(raw, kinds[attr], zone)
    except (ValueError, TypeError):
        raise QueryError(f"The value {raw} is not valid for the attribute {attr}.") from None


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1].replace(raw[0] * 2, raw[0])
    return raw


def _parse_qbe(text: str, kinds: dict, zone: str):
    """Framework version 1: ``Attr=value`` clauses separated by ``;``, AND-ed."""
    tree = None
    for clause in text.split(";"):
        attr, sep, raw = clause.partition("=")
        attr, raw = attr.strip(), raw.strip()
        stray_quote = ("'" in raw or '"' in raw) and not _QUOTED.match(raw)
        if not sep or not _IDENTIFIER.match(attr) or stray_quote:
            raise QueryError(
                f"The query {text!r} is not valid: framework version 1 only takes Attribute=value "
                "clauses separated by ';' (send REST-Framework-Version 2 or later for expressions)."
            )
        node = Compare(attr, "=", _typed(attr, _unquote(raw), kinds, zone))
        tree = node if tree is None else BoolOp("and", tree, node)
    return tree


class _Parser:
    def __init__(self, text: str, kinds: dict, zone: str):
        self.text = text
        self.kinds = kinds
        self.zone = zone
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.last_attr = None

    def _tokenize(self, text):
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise QueryError(f"The query {text!r} could not be parsed near position {pos}.")
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def error(self, what):
        return QueryError(f"The query {self.text!r} could not be parsed: {what}.")

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def keyword(self, *words):
        kind, value = self.peek()
        return kind == "word" and value.lower() in words

    def parse(self):
        tree = self.parse_or()
        if self.pos != len(self.tokens):
            raise self.error(f"unexpected {self.peek()[1]!r}")
        return tree

    def parse_or(self):
        tree = self.parse_and()
        while self.keyword("or"):
            self.take()
            tree = BoolOp("or", tree, self.parse_and())
        return tree

    def parse_and(self):
        tree = self.parse_factor()
        while self.keyword("and"):
            self.take()
            tree = BoolOp("and", tree, self.parse_factor())
        return tree

    def parse_factor(self):
        kind, _ = self.peek()
        if kind == "lp":
            self.take()
            tree = self.parse_or()
            if self.take()[0] != "rp":
                raise self.error("a closing parenthesis is missing")
            return tree
        return self.parse_comparison()

    def parse_attribute(self):
        kind, value = self.peek()
        if kind == "op" or self.keyword("like", "in", "not"):
            if self.last_attr is None:
                raise self.error("a comparison has no attribute")
            return self.last_attr
        if kind != "word" or not _IDENTIFIER.match(value) or value.lower() in KEYWORDS:
            raise self.error(f"an attribute name is expected, not {value!r}")
        self.take()
        if value not in self.kinds:
            raise QueryError(f"The attribute {value} is not a valid attribute of this resource.")
        self.last_attr = value
        return value

    def parse_comparison(self):
        attr = self.parse_attribute()
        kind, value = self.peek()
        if kind == "op":
            self.take()
            return Compare(attr, "!=" if value == "<>" else value, self.parse_value(attr))
        negated = False
        if self.keyword("is"):
            self.take()
            if self.keyword("not"):
                self.take()
                negated = True
            if not self.keyword("null"):
                raise self.error("IS must be followed by NULL or NOT NULL")
            self.take()
            return IsNull(attr, negated)
        if self.keyword("not"):
            self.take()
            negated = True
        if self.keyword("like"):
            self.take()
            kind, raw = self.take()
            if kind not in ("str", "word"):
                raise self.error("LIKE needs a pattern")
            return Like(attr, like_pattern(_unquote(raw)), negated)
        if self.keyword("in"):
            self.take()
            return InList(attr, self.parse_list(attr), negated)
        raise self.error(f"an operator is expected after {attr}")

    def parse_list(self, attr):
        if self.take()[0] != "lp":
            raise self.error("IN needs a parenthesised list")
        values = [self.parse_value(attr)]
        while self.peek()[0] == "comma":
            self.take()
            values.append(self.parse_value(attr))
        if self.take()[0] != "rp":
            raise self.error("the IN list is not closed")
        return values

    def parse_value(self, attr):
        kind, raw = self.take()
        if kind == "word" and raw.lower() == "null":
            return None
        if kind not in ("str", "word") or (kind == "word" and raw.lower() in KEYWORDS):
            raise self.error(f"a value is expected for {attr}")
        return _typed(attr, _unquote(raw), self.kinds, self.zone)
