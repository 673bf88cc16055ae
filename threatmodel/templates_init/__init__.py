"""Starter models written by `threatmodel init`: YAML text with $placeholders, one per shape."""
