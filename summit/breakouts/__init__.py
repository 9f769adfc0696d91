"""Breakouts: rooms, time slots, sessions, sign-ups with real capacity, waitlists and agendas."""
