"""What other capabilities use of privacy: describing and registering their personal data."""

from summit.privacy.registry import add_provider, personal_data

__all__ = ["add_provider", "personal_data"]
