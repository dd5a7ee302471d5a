"""Data sets shipped with econnn (no downloads at run time)."""

from ._boston import load_boston

__all__ = ["load_boston"]
