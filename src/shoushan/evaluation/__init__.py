"""Evaluation (综合评价): composite indicators built from a framework of indicators."""
