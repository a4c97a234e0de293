"""Model backends: llama.cpp (default), transformers (full precision), OpenAI-compatible HTTP."""
