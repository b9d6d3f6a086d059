"""Policy Q&A assistant: cited answers from policy documents, offline by default."""

__version__ = "0.1.0"
