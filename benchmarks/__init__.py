"""Speed and memory of dlshortcuts, side by side with what users would otherwise use.

``make bench`` (or ``python -m benchmarks``) runs every suite listed in
:mod:`benchmarks.suites` on loopback, each competitor in turn against the
same files, and prints a table, the targets met or missed, a JSON file and a
bar chart of the ratios (in ``benchmarks/results/``, git-ignored).
"""
