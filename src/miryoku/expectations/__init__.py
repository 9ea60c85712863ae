"""The Great Expectations suites, one JSON file per table (``<layer>.<table>.json``), shipped as package data."""
