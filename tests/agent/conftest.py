"""Run-loop tests use the `harness_factory` fixture of tests/conftest.py."""
