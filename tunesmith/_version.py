"""The release number, in a module of its own so any layer may read it without
importing the whole package."""

__version__ = "0.1.0"
