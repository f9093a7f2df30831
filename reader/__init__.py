"""reader: a terminal news reader built for Arabic first."""

__version__ = "0.1.0"
