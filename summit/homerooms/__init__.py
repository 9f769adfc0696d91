"""Homerooms: daily round-table seating for summit attendees (pure Python, see ``engine``)."""
