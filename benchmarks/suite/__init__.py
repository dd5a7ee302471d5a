"""The defaults benchmark suite (see ``docs/defaults.md``).

Run ``python -m benchmarks.suite`` from the repository root;
``--tiny`` runs a few seconds' version used by the tests.
"""
