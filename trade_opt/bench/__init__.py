"""Solver benchmarks on knapsack instance families (:mod:`.families`) with a resumable,
process-isolated harness (:mod:`.harness`, ``trade-opt bench``)."""
