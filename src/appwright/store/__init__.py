"""Durable state: vendors, apps, files, versions, sessions, runs, logs, the push outbox."""
