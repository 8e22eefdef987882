"""The records (`dstcheck.model.record`) write out their `__init__` beside the field
declarations: the two must say the same thing, or a default changes in one place only."""

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import dstcheck
from dstcheck.model import _FACTORY


def _records():
    found = {}
    for info in pkgutil.walk_packages(dstcheck.__path__, "dstcheck."):
        if info.name == "dstcheck.__main__":  # runs the command line
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__ and "_record_fields" in vars(value):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


RECORDS = _records()


def test_records_are_found():
    assert len(RECORDS) >= 20, [r.__qualname__ for r in RECORDS]


@pytest.mark.parametrize("cls", RECORDS, ids=[f"{r.__module__}.{r.__qualname__}" for r in RECORDS])
def test_written_init_matches_the_fields(cls):
    declared = [f for f in dataclasses.fields(cls) if f.init]
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in declared]
    required = {}
    for field, param in zip(declared, params):
        if field.default is not dataclasses.MISSING:
            assert param.default == field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert param.default is _FACTORY, field.name
        else:
            assert param.default is inspect.Parameter.empty, field.name
            required[field.name] = object()
    made = cls(**required)
    for field in dataclasses.fields(cls):
        value = getattr(made, field.name)
        if field.name in required:
            assert value is required[field.name], field.name
        elif field.default is not dataclasses.MISSING:
            assert value == field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert value == field.default_factory() and value is not _FACTORY, field.name
    assert cls(**required) == made
