"""Validation of what people type: intake steps, colleague actions, promise rules."""
