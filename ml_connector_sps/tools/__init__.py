"""Plain-Python parts of the SPS connector (no ORM): RSX 7.7 documents and the Transaction API."""
