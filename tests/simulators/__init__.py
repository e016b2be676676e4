"""Simulators of the remote systems ml-connector talks to (JAGGAER J1P, SPS Commerce, JD Edwards
AIS Server).

Each follows the published behaviour of its system (authentication, token expiry, paging,
rate limits with ``Retry-After``, error shapes) and is used by the tests and by
``./mlc demo``. See ``base.py`` for the control interface they share.
"""
