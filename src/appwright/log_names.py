"""Every name under which events are kept or carried, in one place: the durable logs (one
per app, one per session; `store/schema.py` `logs.log`) and the Redis channels the fan-out
publishes them on (`events/redis_bus.py`).

A "log" here is always one of these event logs, never a logger (loggers are named after
their module, `logging.getLogger(__name__)`).
"""

from __future__ import annotations


def app_log(app_id: str) -> str:
    return f"app:{app_id}"


def session_log(session_id: str) -> str:
    return f"session:{session_id}"


# Not a durable log: the bus topic on which a cancel reaches the process running the run.
CONTROL_LOG = "control:runs"

# One Redis pub/sub channel per log: "appwright:log:<log name>".
REDIS_CHANNEL_PREFIX = "appwright:log:"


def redis_channel(log_name: str) -> str:
    return REDIS_CHANNEL_PREFIX + log_name


def log_of_channel(channel: str) -> str:
    return channel.removeprefix(REDIS_CHANNEL_PREFIX)
