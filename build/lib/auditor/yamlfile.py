"""Config stage helper: strict YAML loading with the line of every key, for errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from auditor.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class _Positions:
    """Maps a key path (as pydantic reports it) to the 1-based line where it stands in the file."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[Loc, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: Loc) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                self._walk(value, sub)
                self.lines[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i))

    def line(self, loc: Loc) -> int | None:
        for end in range(len(loc), -1, -1):
            if (found := self.lines.get(tuple(loc[:end]))) is not None:
                return found
        return None


def read_yaml(path: Path, error: type[ConfigError] = ConfigError) -> tuple[Any, _Positions]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found / 文件不存在") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise error(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return data, _Positions(node)


def validate(
    model: type[M], data: Any, path: Path, positions: _Positions, error: type[ConfigError] = ConfigError, base: Loc = ()
) -> M:
    """Validate `data` into `model`; every problem is reported as `file:line: key: what`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(describe(exc, path, positions, base)) from None


def describe(exc: ValidationError, path: Path, positions: _Positions, base: Loc = ()) -> str:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        full = (*base, *loc)
        line = positions.line(full)
        key = ".".join(str(p) for p in full) or "(top level)"
        what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(f"{path}:{line or '?'}: {key}: {what}")
    return "\n".join(problems)
