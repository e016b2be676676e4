"""The reliability and security proof: hostile inputs, crashes, concurrency and secrets."""
