"""Hyperparameters declared once: default, constraint and documentation.

scikit-learn reads an estimator's parameters from the signature of its
``__init__``, so every estimator needs an explicit signature.  Writing it out
by hand in four classes repeats ~25 arguments (the pattern of
``MLPRegressor``/``MLPClassifier`` this package avoids).  Instead each
parameter is a :class:`Param` that carries its default, its
``_parameter_constraints`` entry and its numpydoc text; :func:`estimator`
generates ``__init__`` from a list of them (with ``exec``, as
:mod:`dataclasses` does, so the signature, ``help()`` and tracebacks are
ordinary) and fills the ``Parameters`` section of the class docstring.
"""

import inspect
import textwrap
from dataclasses import dataclass

__all__ = ["Param", "estimator"]


@dataclass(frozen=True)
class Param:
    """One hyperparameter.

    Parameters
    ----------
    name : str
        Argument name.
    default : object
        Default value; must be immutable (tuples, not lists).
    constraints : list
        scikit-learn parameter constraints, as in ``_parameter_constraints``.
    type : str
        numpydoc type description, e.g. ``"int"`` or ``"{'adam', 'sgd'}"``.
    doc : str
        Description paragraph(s).
    """

    name: str
    default: object
    constraints: list
    type: str
    doc: str

    def numpydoc(self):
        header = f"{self.name} : {self.type}, default={self.default!r}"
        body = textwrap.indent(textwrap.dedent(self.doc).strip(), "    ")
        return f"{header}\n{body}"


def _make_init(params, extra_kwargs):
    """Build ``__init__`` storing each parameter unchanged (sklearn's rule)."""
    first, *rest = params
    args = [f"{first.name}=_d[{first.name!r}]", "*"]
    args += [f"{p.name}=_d[{p.name!r}]" for p in rest]
    if extra_kwargs:
        args.append("**kwargs")
    body = [f"    self.{p.name} = {p.name}" for p in params]
    if extra_kwargs:
        body.append("    self._set_extra_params(kwargs)")
    src = f"def __init__(self, {', '.join(args)}):\n" + "\n".join(body) + "\n"
    namespace = {"_d": {p.name: p.default for p in params}}
    exec(src, namespace)  # noqa: S102 - generated from the Param list above
    return namespace["__init__"]


def estimator(*param_groups, extra_kwargs=False):
    """Class decorator: generate ``__init__``, constraints and parameter docs.

    Parameters
    ----------
    *param_groups : list of Param
        Parameters in signature order; the first one may be passed
        positionally, the others are keyword-only.
    extra_kwargs : bool, default=False
        Whether ``__init__`` also accepts ``**kwargs`` (used for
        ``module__*`` pass-through parameters).

    Notes
    -----
    The class docstring must contain the placeholder ``{parameters}`` (on a
    line of its own, indented like the surrounding section) where the
    ``Parameters`` entries go.
    """
    params = [p for group in param_groups for p in group]
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate parameter names in {names}")

    def decorate(cls):
        init = _make_init(params, extra_kwargs)
        init.__qualname__ = f"{cls.__name__}.__init__"
        init.__module__ = cls.__module__
        cls.__init__ = init
        constraints = {}
        for base in reversed(cls.__mro__[1:]):
            constraints.update(getattr(base, "_parameter_constraints", {}))
        constraints.update({p.name: p.constraints for p in params})
        cls._parameter_constraints = constraints
        cls._params = tuple(params)
        if cls.__doc__ and "{parameters}" in cls.__doc__:
            doc = inspect.cleandoc(cls.__doc__)
            text = "\n".join(p.numpydoc() for p in params)
            # keep the indentation of the placeholder line
            for line in doc.splitlines():
                if "{parameters}" in line:
                    indent = line[: len(line) - len(line.lstrip())]
                    break
            cls.__doc__ = doc.replace(
                indent + "{parameters}", textwrap.indent(text, indent)
            )
        return cls

    return decorate
