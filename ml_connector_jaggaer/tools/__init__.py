"""Plain-Python JAGGAER J1P client (no ORM)."""
