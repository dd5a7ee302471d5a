"""The toolkit for reading fitted models like regressions.

Marginal effects with standard errors, comparison tables, summaries,
plots and gradient checks.  Every tool reads a fitted estimator through
the small interface of :mod:`econnn._fitted` and never its private
attributes.
"""
