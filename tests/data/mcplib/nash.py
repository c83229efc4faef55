#  ___________________________________________________________________________
#
#  Pyomo: Python Optimization Modeling Objects
#  Copyright (c) 2008-2025
#  National Technology and Engineering Solutions of Sandia, LLC
#  Under the terms of Contract DE-NA0003525 with National Technology and
#  Engineering Solutions of Sandia, LLC, the U.S. Government retains certain
#  rights in this software.
#  This software is distributed under the 3-clause BSD License.
#  ___________________________________________________________________________

# ******************************************************
#
# A non-cooperative game example; a Nash equilibrium is sought;
# 
# References:
# F.H. Murphy, H.D. Sherali, and A.L. Soyster, "A mathematical
# programming approach for determining oligopolistic market
# equilibrium", Mathematical Programming 24 (1986) 92-106
# P.T. Harker, "Accelerating the convergence . . .", Mathematical
# Programming 41 (1988) 29 - 59.
# 
# **********************************************************

from pyomo.environ import *
from pyomo.mpec import *


model = AbstractModel()

model.Rn = RangeSet(1, 10)

model.gamma = Param(initialize=1.2)

model.c = Param(model.Rn)
model.beta = Param(model.Rn)
model.L = Param(model.Rn, initialize=10)

model.q = Var(model.Rn, within=NonNegativeReals) # production vector

# trade_opt fix (translation slip): AMPL's defined variables `var Q = sum q` and
# `var divQ = (5000/Q)**(1/gamma)` are expressions; as free Vars without equations the model
# was not square (12 unknowns, 10 conditions)
def Q_init(model):
    return sum(model.q[i] for i in model.Rn)
model.Q = Expression(rule=Q_init)

def divQ_init(model):
    return (5000.0/model.Q)**(1/model.gamma)
model.divQ = Expression(rule=divQ_init)

# delf - p - q(I)*delp
def feas_rule(model, i):
    return complements(
	        model.q[i],
	        0 <= model.c[i] + (model.L[i] * model.q[i])**(1/model.beta[i]) - 
                    model.divQ - model.q[i] * (-1/model.gamma) * model.divQ / model.Q
            )
model.feas = Complementarity(model.Rn, rule=feas_rule)

model.initpoint = RangeSet(1,4)

model.initval = Param(model.Rn, model.initpoint, within=NonNegativeReals)
