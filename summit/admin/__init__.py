"""The organizer's pages: events, attendees, import, export and the audit log."""
