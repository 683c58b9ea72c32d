"""The event union, the durable logs, and fan-out to live subscribers."""
