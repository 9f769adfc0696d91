"""Operations: health check, structured logs, backup and restore (see docs/operations.md)."""
