"""Simulators of the remote systems ml-connector talks to (JAGGAER J1P, SPS Commerce).

They follow ../shared/reference/*-api.md (kept in the project as the contract the
connector is written against) and are used by the tests and by ``./mlc demo``.
"""
