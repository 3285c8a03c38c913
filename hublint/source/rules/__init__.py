"""Source-pass rules: one module per rule, named after its id (``hub102_...``)."""
