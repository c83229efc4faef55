"""Productivity distributions G for the Melitz (2003) industry: survival J and partial moment V.

The industry model needs G only through two functions (``models/melitz_offshoring.md``,
"Conventions" and "Equations → functions"; seed eqs. (9)-(12), (17)-(19)):

* ``J(t) = 1 - G(t)``, the share of entrants with productivity above ``t``;
* ``V(t) = int_t^thmax x^s dG(x)`` with ``s = sigma - 1``, the partial moment behind the
  aggregate productivity ``theta~(t) = (V(t)/J(t))^(1/s)`` (eq. 12).

Three families, all with closed forms, one module each (the interface: :mod:`.base`):

* :class:`Pareto` (:mod:`.pareto`) ``G = 1 - (b/t)^k`` on ``[b, inf)``, ``k > s`` (the default family);
* :class:`TruncatedPareto` (:mod:`.pareto`) the same on ``[b, thmax]``, any ``k > 0``;
* :class:`Lognormal` (:mod:`.lognormal`) ``ln theta ~ N(loc, scale^2)``: ``J`` and ``V`` via the normal survival
  function (``scipy.special.ndtr``).

Each class also gives its density (for quadrature checks) and, where the algebra allows, the
same ``J`` and ``V`` as Pyomo expressions for the complementarity model
(:mod:`trade_opt.melitz.mcp_model`), both in the cutoff ``t`` and in ``u = t^-s``.
Powers are taken through logs (``exp(a ln t)``) so large productivities never overflow.
"""

from trade_opt.melitz.distributions.base import Distribution
from trade_opt.melitz.distributions.lognormal import Lognormal
from trade_opt.melitz.distributions.pareto import Pareto, TruncatedPareto

__all__ = ["Distribution", "Pareto", "TruncatedPareto", "Lognormal"]
