"""System check for python-magic and libmagic where sniffing is asked (dlshortcuts.E071, W071)."""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest
from django.core.checks import Error, Warning
from django.urls import path
from pytest_django.fixtures import Settings

from dlshortcuts import serve_path
from dlshortcuts.checks.sniff import check_libmagic, install_hint

urlpatterns = [
    path("files/<path:path>", serve_path, {"root": "/", "sniff": False}),
    path("sniffed/<path:path>", serve_path, {"root": "/", "sniff": True}),
]

LIBMAGIC = "failed to find libmagic.  Check your installation"


class NoLibmagic:
    """A meta_path finder failing as python-magic does on a host without libmagic."""

    def find_spec(
        self, name: str, path: object = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "magic":
            raise ImportError(LIBMAGIC)
        return None


@pytest.fixture
def no_libmagic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "magic", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoLibmagic(), *sys.meta_path])
    monkeypatch.setattr(sys, "platform", "linux")


LINUX_HINT = "Install libmagic: apt install libmagic1 (Debian, Ubuntu), dnf install file-libs (Fedora)."


def test_nothing_when_python_magic_loads(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"SNIFF": True}
    assert check_libmagic() == []


@pytest.mark.usefixtures("no_libmagic")
def test_sniff_true_without_libmagic_is_an_error(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"SNIFF": True}
    assert check_libmagic() == [
        Error(
            f"DLSHORTCUTS['SNIFF'] is True, but python-magic cannot load ({LIBMAGIC}): those downloads "
            "would fail.",
            hint=LINUX_HINT,
            id="dlshortcuts.E071",
        )
    ]


@pytest.mark.usefixtures("no_libmagic")
@pytest.mark.urls("tests.checks.test_sniff")
def test_a_urlpattern_sniffing_without_libmagic_is_an_error(settings: Settings) -> None:
    settings.DLSHORTCUTS = {"SNIFF": False}
    assert check_libmagic() == [
        Error(
            f"The urlpattern 'sniffed/<path:path>' passes sniff=True, but python-magic cannot load "
            f"({LIBMAGIC}): those downloads would fail.",
            hint=LINUX_HINT,
            id="dlshortcuts.E071",
        )
    ]


@pytest.mark.usefixtures("no_libmagic")
def test_the_default_without_libmagic_is_a_warning(settings: Settings) -> None:
    del settings.DLSHORTCUTS
    assert check_libmagic() == [
        Warning(
            f"python-magic cannot load ({LIBMAGIC}): a file whose name tells no type is served as "
            "application/octet-stream instead of being sniffed.",
            hint=f"{LINUX_HINT} Or set DLSHORTCUTS['SNIFF'] = False to never sniff.",
            id="dlshortcuts.W071",
        )
    ]
    settings.DLSHORTCUTS = {"SNIFF": False}
    assert check_libmagic() == []


@pytest.mark.parametrize(
    ("error", "platform", "hint"),
    [
        (
            ModuleNotFoundError("No module named 'magic'", name="magic"),
            "linux",
            "Install python-magic: pip install python-magic (it comes with dlshortcuts).",
        ),
        (ImportError(LIBMAGIC), "linux", LINUX_HINT),
        (ImportError(LIBMAGIC), "darwin", "Install libmagic: brew install libmagic."),
        (
            ImportError(LIBMAGIC),
            "win32",
            "Install python-magic-bin, which bundles libmagic: pip install python-magic-bin.",
        ),
    ],
)
def test_install_hint(monkeypatch: pytest.MonkeyPatch, error: ImportError, platform: str, hint: str) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert install_hint(error) == hint
