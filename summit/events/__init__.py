"""Events and organizations, and the public event pages."""
