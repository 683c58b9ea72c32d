"""Operations: structured logs and metrics."""
