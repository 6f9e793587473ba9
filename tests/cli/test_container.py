"""The container files a deployer uses: the Dockerfile and compose.yaml run the Procfile's roles, as a
non-root user, with healthchecks and a database volume. Where Docker runs, the image is built from the
checkout and serves /healthz against PostgreSQL; elsewhere the files are checked as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, list[str]]:
    roles = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line:
            role, command = line.split(":", 1)
            roles[role.strip()] = command.split()
    return roles


def dockerfile_lines() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines() if line.strip()]


def test_the_image_runs_as_a_user_and_defaults_to_the_web_role():
    lines = dockerfile_lines()
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    cmd = next(line for line in reversed(final) if line.startswith("CMD "))
    assert yaml.safe_load(cmd[4:]) == procfile()["web"]
    assert any(line.startswith("HEALTHCHECK") for line in final) and "/healthz" in "".join(final)
    # the build stage copies every package the app installs, and nothing of the tests
    packages = re.findall(r'"(\w+)\*"', (ROOT / "pyproject.toml").read_text().split("packages.find]")[1])
    copied = {line.split()[1] for line in lines if line.startswith("COPY ") and "--from" not in line}
    assert set(packages) <= copied and "tests" not in copied


def test_compose_runs_the_procfile_roles_on_postgresql_with_a_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    roles = procfile()
    for role in ("release", "web", "clock"):
        assert services[role]["command"] == roles[role], role
        assert services[role]["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert services[role]["image"] == services["web"]["image"]  # one image for every process
    assert "build" in services["release"]
    assert services["release"]["depends_on"]["db"]["condition"] == "service_healthy"
    for role in ("web", "clock"):  # migrations first, every release
        assert services[role]["depends_on"]["release"]["condition"] == "service_completed_successfully"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "web" not in [r for r in services if services[r].get("healthcheck", {}).get("disable")]
    volume = services["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert services["web"]["ports"] == ["3000:3000"]


def docker_runs() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


@pytest.mark.skipif(not docker_runs(), reason="no Docker daemon on this machine: the image is not built here")
def test_the_image_builds_from_the_checkout():
    built = subprocess.run(
        ["docker", "build", "-q", "-t", "actionbot:test", str(ROOT)], capture_output=True, timeout=900
    )
    assert built.returncode == 0, built.stderr.decode()[-2000:]
    version = subprocess.run(
        ["docker", "run", "--rm", "actionbot:test", "actionbot", "--help"], capture_output=True, timeout=120
    )
    assert version.returncode == 0 and b"serve the bot" in version.stdout
