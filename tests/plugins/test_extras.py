"""A missing optional dependency fails on first use, naming the pip extra to install."""

import pytest

from simgan.plugins import extras


def test_missing_module_names_the_extra():
    with pytest.raises(extras.MissingExtraError, match=r"The thing needs .*no_such_mod_xyz.*"
                                                        r"pip install 'simgan\[hdf5\]'"):
        extras.require("no_such_mod_xyz", "hdf5", "The thing")


def test_deferred_module_imports_on_first_use_only():
    missing = extras.deferred("no_such_mod_xyz", "vtt", "The app")  # no error yet
    with pytest.raises(extras.MissingExtraError, match=r"simgan\[vtt\]"):
        missing.anything
    assert extras.deferred("json", "vtt", "x").dumps([1]) == "[1]"
