"""Plain-Python JD Edwards AIS Server client (no ORM)."""
