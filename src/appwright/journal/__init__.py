"""The journal owns the durable event logs: it appends events in the caller's transaction and
publishes them to live subscribers only after that transaction commits (`journal.py`); a
run's events go through its recorder (`recorder.py`), which batches them the same way."""
