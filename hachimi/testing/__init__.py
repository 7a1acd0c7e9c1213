"""Support for tests and benchmarks: theory-valid personas drawn from solver models."""
