"""Benchmarks (not tests); tests import the extraction scoring from here."""
