"""Amounts and quantities as people read them in messages (the user's language, the currency's
symbol and decimals), not as Python prints floats."""

from odoo.tools.misc import formatLang


def money(env, amount, currency):
    """``1,234.50 $`` in the user's language with the currency's own decimals and symbol."""
    if amount is None:
        return ""
    return formatLang(env, amount, currency_obj=currency) if currency else formatLang(env, amount)


def quantity(env, value):
    """``2`` for a whole quantity, ``2.5`` otherwise (at most 3 decimals), in the user's language."""
    if value is None:
        return ""
    rounded = round(float(value), 3)
    if rounded == int(rounded):
        return formatLang(env, rounded, digits=0)
    digits = len(f"{rounded:.3f}".rstrip("0").split(".")[1])
    return formatLang(env, rounded, digits=digits)
