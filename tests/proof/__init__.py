"""Reliability and security proof (``./mlc proof``): faults, crashes, concurrency, hostile input."""
