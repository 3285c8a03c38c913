"""Configuration: [tool.hublint] in pyproject.toml, overridden by the command line."""

from __future__ import annotations

import pytest

from hublint import config as config_mod
from hublint.config import ConfigError
from hublint.finding import Severity


def write_pyproject(folder, body: str):
    path = folder / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.hublint]\n" + body, encoding="utf-8")
    return path


def test_options_are_read_from_the_nearest_pyproject(tmp_path):
    write_pyproject(tmp_path, 'dropout-rate-max = 0.3\nbatchnorm-momentum-max = 0.95\nscope = "all"\n'
                    'fail-on = "error"\nignore = ["HUB003"]\n')
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    config = config_mod.load(start=str(nested))
    assert config.dropout_rate_max == 0.3
    assert config.batchnorm_momentum_max == 0.95
    assert config.scope == "all"
    assert config.fail_severity is Severity.ERROR
    assert config.root == str(tmp_path)


def test_command_line_overrides_the_file(tmp_path):
    write_pyproject(tmp_path, "dropout-rate-max = 0.3\n")
    config = config_mod.load(start=str(tmp_path), dropout_rate_max=0.6)
    assert config.dropout_rate_max == 0.6


@pytest.mark.parametrize(
    "body, message",
    [
        ("dropout-rate-maxx = 0.3\n", "unknown option 'dropout-rate-maxx'"),
        ('dropout-rate-max = "high"\n', "dropout-rate-max"),
        ('select = ["HUB999"]\n', "unknown rule or prefix 'HUB999'"),
        ('scope = "everything"\n', "scope must be"),
        ("[tool.hublint.per-file-ignores]\n'a.py' = ['nope']\n", "unknown rule or prefix 'nope'"),
    ],
)
def test_bad_configuration_is_a_clear_error(tmp_path, body, message):
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError, match=message):
        config_mod.load(start=str(tmp_path))


def test_broken_toml_is_a_clear_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.hublint\nx = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        config_mod.load(config_file=tmp_path / "pyproject.toml")


def test_selection_by_id_name_and_prefix(make_config):
    config = make_config(select=("HUB0",), ignore=("source-unparsable",))
    assert not config.is_enabled("HUB001")
    assert config.is_enabled("HUB003")  # off by default, but selected by prefix
    assert make_config().is_enabled("HUB001")
    assert not make_config().is_enabled("HUB003")
    assert make_config(extend_select=("useless-suppression",)).is_enabled("HUB003")


def test_per_file_ignores_match_globs_relative_to_the_config(tmp_path, make_config):
    config = make_config(per_file_ignores=(("legacy/*.py", ("HUB001",)), ("gen", ("HUB0",))))
    assert not config.is_enabled("HUB001", str(tmp_path / "legacy" / "old.py"))
    assert config.is_enabled("HUB001", str(tmp_path / "new" / "old.py"))
    assert not config.is_enabled("HUB001", str(tmp_path / "gen" / "deep" / "x.py"))


def test_excludes_match_names_and_paths(tmp_path, make_config):
    config = make_config(extend_exclude=("third_party",))
    assert config.is_excluded(str(tmp_path / ".venv"))
    assert config.is_excluded(str(tmp_path / "third_party"))
    assert not config.is_excluded(str(tmp_path / "src"))


def test_fingerprint_changes_with_thresholds_only(make_config):
    base = make_config()
    assert base.fingerprint() == make_config(jobs=4).fingerprint()
    assert base.fingerprint() != make_config(dropout_rate_max=0.4).fingerprint()
