"""Embed Gomory's B1(Y) in your own model: add side constraints and solve with a chosen solver.

Question: at normalized income Y, how well can country 1 do (an upper bound on its log-utility
u1 over all equilibria at Y) if it must keep good 3 (country 2 may not make it) and at most k goods
may be made by country 2?  B1(Y) is the smaller of two 0-1 knapsacks (trade equation relaxed to
<= and >=, Gomory 1991 / ``trade_opt.gomory.boundary``); the side constraints go into both.

Run::

    .venv/bin/python examples/embed_gomory_constraints.py [--y 0.6] [--k 3] [--solver highs]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import trade_opt
from trade_opt.api import ProblemResult, build_problem

INSTANCE = Path(__file__).resolve().parents[1] / "instances" / "gomory_table1.toml"


def constrained_b1(instance, Y: float, keep_good: int, k: int, solver: str = "highs") -> ProblemResult:
    """B1(Y) with x[keep_good - 1] = 0 (country 1 keeps that good; goods numbered from 1) and at
    most ``k`` goods made by country 2 (sum_i x_i <= k), solved by ``solver``."""
    problem = build_problem(instance, Y=Y)
    problem.add_constraint("country1_keeps_good", lambda m: m.x[keep_good - 1] == 0)
    problem.add_constraint("at_most_k_to_country2", lambda m: sum(m.x[i] for i in m.I) <= k)
    return problem.solve(solver)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", default=str(INSTANCE))
    parser.add_argument("--y", type=float, default=0.6)
    parser.add_argument("--keep", type=int, default=3, help="good (1-based) country 1 must keep")
    parser.add_argument("--k", type=int, default=3, help="at most k goods made by country 2")
    parser.add_argument("--solver", default="highs", help="highs | cbc | glpk | scip")
    args = parser.parse_args()
    instance = trade_opt.load_instance(args.instance)
    free = build_problem(instance, Y=args.y).solve(args.solver)
    res = constrained_b1(instance, args.y, args.keep, args.k, args.solver)
    print(f"B1({args.y}) unconstrained: {free.value:.10f}  x = {''.join(map(str, free.x.astype(int)))} ({free.direction})")
    if res.x is None:
        print(f"with the side constraints: {res.status} (no pattern satisfies them in both directions)")
    else:
        print(f"B1({args.y}) with good {args.keep} kept by country 1 and <= {args.k} goods to country 2: "
              f"{res.value:.10f}  x = {''.join(map(str, res.x.astype(int)))} ({res.direction}, {res.status}, "
              f"{args.solver}, {res.seconds:.3f} s)")


if __name__ == "__main__":
    main()
