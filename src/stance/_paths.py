"""Where stance finds its shipped data (corpus, labels, models, word lists)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent.parent  # src/stance -> repository root


def data_root() -> Path:
    """Directory holding ``corpus/`` and ``labels/``.

    An installed wheel carries them under ``stance/_data``; a source checkout
    (editable install, running from ``src``) reads the repository's own copies.
    """
    if (_INSTALLED / "corpus").is_dir():
        return _INSTALLED
    if (_CHECKOUT / "corpus").is_dir() and (_CHECKOUT / "labels").is_dir():
        return _CHECKOUT
    raise FileNotFoundError(
        "stance's corpus is missing: neither the package data "
        f"({_INSTALLED}) nor a source checkout ({_CHECKOUT}) holds corpus/ and labels/. "
        "Reinstall stance."
    )


def cache_dir() -> Path:
    """Where stance caches downloaded and rebuilt models.

    ``$STANCE_HOME`` when set, otherwise the platform's user cache directory
    (``~/.cache/stance`` on Linux). Created on first use by the callers.
    """
    import os

    home = os.environ.get("STANCE_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("stance", appauthor=False))


def existing_file(path: str | Path, error: type[Exception], is_dir_message: str,
                  missing: type[Exception] | None = None, missing_message: str = "no such file") -> Path:
    """``path`` as a Path if it is a file; else ``missing`` (default ``error``) or ``error`` with
    ``<path>: <message>`` naming what is wrong."""
    p = Path(path)
    if not p.exists():
        raise (missing or error)(f"{path}: {missing_message}")
    if p.is_dir():
        raise error(f"{path}: {is_dir_message}")
    return p


def readable_by_umask(path: str | Path) -> None:
    """Give a file made by ``tempfile.mkstemp`` (always 0600) the mode a plain ``open`` would give it
    under the process's umask, so shared models and caches stay readable to colleagues."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
