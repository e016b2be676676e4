"""Text read from remote documents, before it reaches the database or a business key.

PostgreSQL refuses two things a JSON document can carry: the NUL character and unpaired UTF-16
surrogates (``"\\ud800"`` decodes to a Python string that has no UTF-8 form). A B-tree index
refuses entries beyond about 2,700 bytes. And identifiers are compared character by character:
an invisible character (zero-width space, bidirectional override) makes a look-alike that never
matches what a person types, and can disguise one identifier as another.

* :func:`storable` and :func:`bounded_key` make connector bookkeeping (audit lines, messages)
  storable whatever a document holds;
* :func:`text_problem`, :func:`identifier_problem` and :func:`document_problems` say why a value
  or a document must be refused, so that a reader or writer can fail it with a clear message instead of
  writing it.
"""

import hashlib
import re
import unicodedata

KEY_LENGTH = 200  # characters of a key kept as they are; a longer key ends with a hash of all of it
IDENTIFIER_LENGTH = 80  # document numbers, codes, references
NAME_LENGTH = 256  # names of companies and products

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters except tab, line feed and carriage return (which text may hold)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_CATEGORIES = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")


def _code_point(char):
    return f"U+{ord(char):04X}"


def storable(text):
    """``text`` as PostgreSQL can store it: NUL characters and unpaired surrogates written as
    escapes (``\\u0000``, ``\\ud800``); other values are returned unchanged."""
    if not isinstance(text, str):
        return text
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def bounded_key(text, length=KEY_LENGTH):
    """A storable key of at most ``length`` characters that still tells different keys apart:
    a longer one keeps its beginning and ends with a hash of the whole key."""
    text = storable(text)
    if not isinstance(text, str) or len(text) <= length:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"{text[: length - len(digest) - 2]}…#{digest}"


def shorten(text, length):
    """``text`` cut to ``length`` characters (an ellipsis marks the cut), for labels and messages."""
    return text if len(text) <= length else text[: length - 1] + "…"


def text_problem(value):
    """Why the text ``value`` cannot be stored as it is (a sentence without subject), or None."""
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return "contains a NUL character (U+0000), which cannot be stored"
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return (
            f"contains an unpaired surrogate ({_code_point(surrogate.group())}), which is not valid Unicode"
        )
    control = _CONTROL.search(value)
    if control:
        return f"contains a control character ({_code_point(control.group())})"
    return None


def invisible_characters(value):
    """The invisible and formatting characters of ``value`` (zero-width, bidi controls…)."""
    return [char for char in value if unicodedata.category(char) in _INVISIBLE_CATEGORIES]


def has_visible_text(value):
    """Whether ``value`` holds at least one character a person can see."""
    return isinstance(value, str) and any(
        not char.isspace() and unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in value
    )


def identifier_problem(value, length=IDENTIFIER_LENGTH):
    """Why ``value`` cannot be a document number or code (a sentence without subject), or None."""
    if not isinstance(value, str):
        return None
    problem = text_problem(value)
    if problem:
        return problem
    if len(value) > length:
        return f"is {len(value)} characters long (at most {length})"
    invisible = invisible_characters(value)
    if invisible:
        return f"contains invisible characters ({', '.join(_code_point(char) for char in invisible[:3])})"
    return None


def document_problems(value, path="$", limit=8):
    """``["<json path>: <problem>", …]`` for the texts of a parsed JSON document (keys included)
    that cannot be stored as they are; at most ``limit`` of them."""
    problems = []
    stack = [(path, value)]
    while stack and len(problems) < limit:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                problem = text_problem(key)
                if problem:
                    problems.append(f"{where}: a key {problem}")
                stack.append((f"{where}.{storable(key)}", child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", child) for index, child in reversed(list(enumerate(item))))
        else:
            problem = text_problem(item)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems
