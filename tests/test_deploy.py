"""Deployment files: pinned requirements in step with pyproject.toml, a sound Dockerfile, and a
proxy config that keeps Streamlit's metrics private."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from datafiles import dockerfile_instructions

ROOT = Path(__file__).resolve().parents[1]


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


requirements_script = _module(ROOT / "scripts" / "requirements.py")


def pins(text: str) -> dict[str, str]:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in lines}


def test_requirements_txt_is_what_make_requirements_writes_now():
    """Fails when a dependency is added, removed or re-pinned in one file and not the other."""
    direct = requirements_script.direct_requirements()
    expected = requirements_script.render(requirements_script.closure(direct))
    assert (ROOT / "requirements.txt").read_text(encoding="utf-8") == expected, "run `make requirements`"


def test_every_pyproject_dependency_is_pinned_within_its_range():
    pinned = pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    for requirement in requirements_script.direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is missing from requirements.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), f"{name}=={pinned[name]} is outside {requirement.specifier}"


def test_a_new_dependency_in_pyproject_is_noticed(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8").replace('"altair>=6,<7",', '"altair>=6,<7",\n    "hypothesis>=6",')
    pyproject.write_text(text, encoding="utf-8")
    drifted = requirements_script.render(requirements_script.closure(requirements_script.direct_requirements(pyproject)))
    assert drifted != (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "hypothesis==" in drifted


# --- the Dockerfile -----------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(ROOT / "Dockerfile")


def instruction(name: str) -> list[str]:
    return [args for word, args in dockerfile() if word == name]


def docker_command() -> list[str]:
    return json.loads(instruction("CMD")[-1])


def copied() -> list[tuple[str, str]]:
    return [tuple(shlex.split(args)) for args in instruction("COPY")]


def test_dockerfile_uses_a_slim_python_of_the_projects_version():
    assert instruction("FROM") == ["python:3.11-slim"]


def test_dockerfile_installs_the_pins_and_copies_what_the_app_needs():
    assert "pip install -r requirements.txt" in " ".join(instruction("RUN"))
    sources = {source for args in copied() for source in args[:-1]}
    for needed in ("requirements.txt", "app.py", "serve.py", "app_pages", "src", ".streamlit", "static", "geodata"):
        assert needed in sources, needed


def test_dockerfile_serves_the_app_warmed_up():
    assert "streamlit run serve.py" in " ".join(docker_command())


def test_dockerfile_runs_as_a_non_root_user_on_port_8501_with_a_health_check():
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    assert instruction("EXPOSE") == ["8501"]
    health = instruction("HEALTHCHECK")[-1]
    assert "_stcore/health" in health and "PORT" in health and "8501" in health
    assert "STREAMLIT_SERVER_BASE_URL_PATH" in health  # follows a proxy path
    command = " ".join(docker_command())
    assert "--server.address 0.0.0.0" in command
    assert "${PORT:-8501}" in command  # $PORT when the platform sets one, else 8501


@pytest.mark.parametrize("ignored", [".venv", ".git", "tests"])
def test_the_build_context_leaves_out_what_the_image_does_not_need(ignored):
    assert ignored in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


# --- the replicas' proxy (docs/deploy/nginx.conf) -------------------------------------------------


def nginx_locations(path: Path) -> dict[str, tuple[str, str]]:
    """The ``location`` blocks of an nginx file: path → (modifier, directives), comments left out."""
    code = "\n".join(line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines())
    blocks = re.findall(r"location\s+(=|\^~)?\s*(\S+)\s*\{([^{}]*)\}", code)
    return {where: (modifier, body) for modifier, where, body in blocks}


def test_the_shipped_proxy_keeps_streamlits_metrics_private():
    """Streamlit answers anyone at /_stcore/metrics (sessions, caches, memory); the proxy refuses it
    ahead of the app's location, for every spelling that starts so, and keeps the health check open."""
    locations = nginx_locations(ROOT / "docs" / "deploy" / "nginx.conf")
    assert "/_stcore/metrics" in locations, "docs/deploy/nginx.conf forwards /_stcore/metrics to the app"
    modifier, body = locations["/_stcore/metrics"]
    assert modifier == "^~"  # a prefix no regex location can override: /_stcore/metrics/ is refused too
    assert re.search(r"\breturn\s+404\s*;", body) or re.search(r"\bdeny\s+all\s*;", body), body
    assert "proxy_pass" not in body or re.search(r"\bdeny\s+all\s*;", body)
    assert not [where for where in locations if where.startswith("/_stcore/health")]  # the health check reaches the app
    assert "_stcore/metrics" in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")  # and the recipe says why
