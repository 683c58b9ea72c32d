"""Test doubles, shipped with the package so that tests and benchmarks (ours, and anyone's
driving appwright) use the same ones: a scripted model (`scripted_model.py`) and a fixed
search provider (`fake_search.py`). Nothing in the service imports this package."""
