"""Self check-in: the rotating entrance QR code, table tents and room doors, scanned by the
attendee's own phone."""
