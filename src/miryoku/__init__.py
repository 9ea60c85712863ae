"""Miryoku Lake: rediscover what outsiders find attractive about a region, from SNS posts and open data."""

__version__ = "0.1.0"
