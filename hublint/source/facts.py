"""Placeholder until the source facts land: no facts, so source rules find nothing."""


def collect(tree, path):
    return None
