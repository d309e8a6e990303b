"""xinyong — public credit information platform for market entities."""

__version__ = "0.1.0"
