"""The training engine: networks, losses, optimisers and the skorch loop.

Estimators build a :class:`TrainingConfig` once per fit and hand it, with
the data, to the engine; nothing here reads an estimator.
"""
