"""Rules of the mentoring model shared by validation and pairing (one implementation each)."""
