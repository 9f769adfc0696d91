"""The JSON API for scanner apps, kiosks and scripts (bearer tokens, no cookies)."""
