"""Values as the SPS readers and writers put them in RSX documents and in messages."""

PROBLEMS_SHOWN = 8


def problems_text(problems):
    """The first problems of a document, and how many more there are."""
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def last_attempt(line):
    """True when this attempt at an audit line is its last automatic one: a writer waiting for
    another document (``DependencyError``) then uses its fallback instead, if it has one."""
    return line.attempts >= line.backend_id.record_max_attempts


NAMES_SHOWN = 12


def names_text(names):
    """The first names of a list, and how many more there are."""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def number(value):
    """JSON number for a quantity or amount: 24.0 -> 24, 4.750000001 -> 4.75."""
    value = round(float(value or 0.0), 6)
    return int(value) if value.is_integer() else value
