"""Which data files a caller may name: only files under the configured data roots.

A `train` key names files for the worker to read (a training job's `dataset_path`, a pipeline
run's). Without a bound that is a read of any csv/parquet the worker can open, and the job's
error would echo its columns. A named path is resolved first (relative to the project, `..` and
symlinks followed) and must then lie under one of `MLAAS_DATA_ROOTS` (local folders or
`s3://bucket/prefix` roots; default `<project_dir>/data`). A path outside is refused before the
file system is asked anything, with the same answer whether it exists or not.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from mlaas.errors import FieldError
from mlaas.settings import get_settings


class PathNotAllowed(FieldError):
    """A caller named a data file outside the data roots."""

    code = "path_not_allowed"


def data_roots() -> tuple[list[Path], list[str]]:
    """The configured roots: resolved local folders, and s3 `bucket/prefix`es."""
    settings = get_settings()
    named = [root.strip() for root in settings.data_roots.split(",") if root.strip()]
    folders: list[Path] = []
    prefixes: list[str] = []
    for root in named or [str(settings.project_dir / "data")]:
        if root.startswith("s3://"):
            prefixes.append(posixpath.normpath(root.removeprefix("s3://")).strip("/"))
        else:
            path = Path(root).expanduser()
            folders.append((path if path.is_absolute() else settings.project_dir / path).resolve())
    return folders, prefixes


def allowed_data_file(resolved: str, *, field: str) -> str:
    """`resolved` (mlaas.data.generate.resolve_source's form), normalised, if it lies under a
    data root; else PathNotAllowed naming `field`."""
    folders, prefixes = data_roots()
    if resolved.startswith("s3://"):
        key = posixpath.normpath(resolved.removeprefix("s3://"))
        if any(key.startswith(prefix + "/") for prefix in prefixes):
            return f"s3://{key}"
    else:
        try:
            path = Path(resolved).resolve()
        except (ValueError, UnicodeError):  # a NUL byte, a lone surrogate: no file has it
            raise PathNotAllowed(field, "not a path a file can have") from None
        if any(path.is_relative_to(folder) for folder in folders):
            return str(path)
    raise PathNotAllowed(
        field,
        "not under a data folder the platform reads from (MLAAS_DATA_ROOTS); put the file in "
        "one, or ask an operator to add its folder",
    )
