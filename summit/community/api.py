"""What other capabilities may use of communities of practice: nothing yet. The module exists
so the interfaces contract has one door to check (``pyproject.toml``)."""

__all__: list[str] = []
