"""Messages to attendees: email (SMTP or the outbox folder) and announcements."""
