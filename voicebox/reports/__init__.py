"""Tallies, suppressed breakdowns, reports and their exports."""
