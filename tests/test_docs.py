"""Docstrings and signatures agree (the parameter docs are generated)."""

import inspect
import re

import pytest

import econnn

ESTIMATORS = [getattr(econnn, name) for name in econnn.__all__
              if inspect.isclass(getattr(econnn, name))
              and hasattr(getattr(econnn, name), "_params")]


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_docstring_documents_every_parameter_in_order(Est):
    doc = Est.__doc__
    section = doc.split("Parameters\n----------\n")[1].split("\n\n")[0]
    documented = re.findall(r"^(\w+) : ", section, flags=re.M)
    signature = [p for p in inspect.signature(Est).parameters
                 if p != "kwargs"]
    assert documented == signature
    for name in signature:
        default = inspect.signature(Est).parameters[name].default
        assert f"{name} : " in doc and f"default={default!r}" in doc


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_docstring_sections(Est):
    for section in ("Parameters", "Attributes", "See Also", "Examples"):
        assert f"{section}\n" in Est.__doc__
