"""Rules of the dynamic pass (HUB3xx): predicates over what the TensorFlow child measured."""
