"""Findings are plain data: they sort stably, whatever mix of source and module locations."""

from hublint.finding import Finding, Location, Severity


def make(location: Location, rule_id: str = "HUB202") -> Finding:
    return Finding(location, rule_id, "kernel-unregularized", Severity.WARNING, "m")


def test_source_and_module_locations_sort_together():
    module_level = make(Location("mod"))
    per_graph = make(Location("mod", tag_set=("train",), node="dense/kernel"))
    default_graph = make(Location("mod", tag_set=(), node="dense/kernel"))
    source = make(Location("a.py", line=3, column=1))
    assert sorted([per_graph, module_level, default_graph, source]) == [source, module_level, default_graph, per_graph]


def test_round_trip_through_dict():
    for location in (Location("a.py", 3, 5, 3, 9), Location("mod/variables/variables.index", node="n", module="mod")):
        finding = make(location)
        assert Finding.from_dict(finding.to_dict()) == finding
