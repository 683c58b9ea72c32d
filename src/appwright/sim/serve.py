"""Running the sim under uvicorn: the server class that ends stalls on shutdown, and
`run_sim`, the blocking entry point behind `appwright sim`."""

from __future__ import annotations

import socket

import uvicorn

from appwright.sim.app import SimState, create_app
from appwright.sim.delivery import quiet_simulated_drops
from appwright.sim.script import ScriptBook, load_scripts_file

# Long enough for in-flight answers to finish, short enough that a stuck one cannot stall
# a test run; stalls and hangs end at once anyway through `SimState.closing`.
GRACEFUL_SHUTDOWN_SECONDS = 2


class SimUvicorn(uvicorn.Server):
    """A uvicorn server that releases every stalled stream and hung search before waiting
    for connections to close: otherwise shutdown would wait on them forever."""

    def __init__(self, config: uvicorn.Config, state: SimState) -> None:
        super().__init__(config)
        self.sim_state = state

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.sim_state.closing.set()
        await super().shutdown(sockets)


def sim_config(state: SimState, host: str, port: int, *, quiet: bool) -> uvicorn.Config:
    config = uvicorn.Config(
        create_app(state),
        host=host,
        port=port,
        lifespan="off",
        ws="none",
        access_log=not quiet,
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        log_level="warning" if quiet else "info",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    # After Config: building it (re)configures uvicorn's loggers.
    quiet_simulated_drops()
    return config


def run_sim(host: str, port: int, scripts_file: str | None, *, quiet: bool = False) -> None:
    """Serve the sim until interrupted, with the scripts of `scripts_file` preloaded
    (`{model: {"turns": [...]}}`). `quiet`: warnings and errors only, no request log (for a
    demo sharing a terminal with the chat)."""
    scripts = load_scripts_file(scripts_file) if scripts_file else {}
    state = SimState(book=ScriptBook(scripts=dict(scripts)))
    SimUvicorn(sim_config(state, host, port, quiet=quiet), state).run()
