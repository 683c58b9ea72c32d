"""The scripted model server: the Anthropic and OpenAI APIs and an Exa search stub, answering
from per-model scripts with injectable faults. Used by tests, benchmarks and demos."""

from appwright.sim.app import SimState, create_app
from appwright.sim.harness import SimServer
from appwright.sim.serve import run_sim

__all__ = ["SimServer", "SimState", "create_app", "run_sim"]
