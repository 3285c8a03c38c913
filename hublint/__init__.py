"""hublint: a linter and best-practice checker for TensorFlow Hub module publishers."""

__version__ = "0.1.0"
