"""tokki's version, in a module of its own: report writers name it without importing the package."""
__version__ = "0.1.0"
