"""Benchmarks (``make bench``): measurements printed side by side, never pass/fail tests."""
