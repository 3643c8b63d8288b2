"""Writing only under the output folder, never over a file we did not write.

An :class:`OutputDir` keeps a small manifest (``.collab_analytics_outputs.json``) of the files
it wrote; a later run may overwrite those, but never any other existing file, and never a path
outside the folder (``..``, absolute paths, symlinks pointing out).

Examples
--------
>>> import tempfile, pathlib
>>> d = OutputDir(tempfile.mkdtemp())
>>> p = d.path("deck.pptx"); p.name
'deck.pptx'
>>> d.path("../evil.txt")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
collab_analytics._errors.UnsafePathError: Refusing to write '../evil.txt': it is outside ...
"""

from __future__ import annotations

import json
from pathlib import Path

from collab_analytics._errors import UnsafePathError

__all__ = ["MANIFEST", "OutputDir"]

MANIFEST = ".collab_analytics_outputs.json"


class OutputDir:
    """An output folder that refuses unsafe paths (see module docstring)."""

    def __init__(self, root: str | Path) -> None:
        root = Path(root)
        if root.exists() and not root.is_dir():
            msg = f"Output folder {str(root)!r} exists and is not a folder."
            raise UnsafePathError(msg)
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self._manifest = self.root / MANIFEST
        self._ours: set[str] = set()
        if self._manifest.exists():
            try:
                self._ours = set(json.loads(self._manifest.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                self._ours = set()
        self.written: list[Path] = []

    def _resolve(self, name: str | Path) -> tuple[Path, str]:
        """Absolute target and manifest key for ``name``, or :class:`UnsafePathError`."""
        rel = Path(name)
        target = (self.root / rel).resolve()
        if rel.is_absolute() or not target.is_relative_to(self.root) or target == self.root:
            msg = f"Refusing to write {str(name)!r}: it is outside the output folder."
            raise UnsafePathError(msg)
        key = target.relative_to(self.root).as_posix()
        if key == MANIFEST:
            msg = f"Refusing to write {str(name)!r}: reserved name."
            raise UnsafePathError(msg)
        if (target.exists() or target.is_symlink()) and key not in self._ours:
            msg = (
                f"Refusing to overwrite {str(target)!r}: it was not written by collab_analytics. "
                "Choose another --out folder or move the file."
            )
            raise UnsafePathError(msg)
        return target, key

    def check(self, names) -> None:
        """Check every planned name before anything is written; one error lists all refusals.

        >>> import tempfile, pathlib
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> (root / "report.html").write_text("mine")
        4
        >>> OutputDir(root).check(["report.pptx", "report.html"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        collab_analytics._errors.UnsafePathError: Refusing to overwrite '...report.html': ...
        """
        problems = []
        for name in names:
            try:
                self._resolve(name)
            except UnsafePathError as exc:
                problems.append(str(exc))
        if problems:
            msg = "\n".join(problems)
            raise UnsafePathError(msg)

    def path(self, name: str | Path) -> Path:
        """The absolute path for ``name`` inside the folder, checked and recorded."""
        target, key = self._resolve(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._ours.add(key)
        self._save()
        self.written.append(target)
        return target

    def _save(self) -> None:
        self._manifest.write_text(
            json.dumps(sorted(self._ours), ensure_ascii=False), encoding="utf-8"
        )
