"""First contact: the licence the metadata declares is in the repository, the extras a user's project needs
exist, and the README tells how to install them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_declared_licence_is_the_full_apache_2_text() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert "APPENDIX: How to apply the Apache License to your work." in text


def test_project_urls_are_absolute() -> None:
    urls = PROJECT["urls"]
    assert urls and all(url.startswith("https://") for url in urls.values())


def test_a_users_project_gets_pytest_and_hypothesis_from_the_test_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    assert {req.split(">")[0] for req in extras["test"]} >= {"pytest", "hypothesis"}
    assert any(req.startswith("aiobotocore") for req in extras["async"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install 'tabletheory[test]'" in readme
    assert "pip install 'tabletheory[async]'" in readme
    assert "What the first run downloads" in readme


def test_strategies_without_hypothesis_name_the_extra() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import theorydb_mocks.strategies"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: theorydb_mocks.strategies needs Hypothesis, which is not installed: "
        "pip install 'tabletheory[test]' (pytest and hypothesis)"
    )
