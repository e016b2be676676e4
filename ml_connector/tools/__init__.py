"""Plain-Python building blocks of the connector (no ORM): errors, HTTP, auth, vault."""
