"""Benchmarks: our code's cost as ratios to the raw storage and HTTP calls it cannot avoid.

Run with ``make bench`` (``QUICK=1`` for the seconds-long smoke run CI uses); see BENCHMARKS.md.
"""
