"""The Teams app package: the zip's manifest and icons, and its command line run as a subprocess."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from handlers.teams.package import build_package, main

APP_ID = "8f0c3c5e-5b7a-4f1e-9d53-7a1c2b3d4e5f"


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of a non-interlaced 8-bit RGBA PNG with filter 0 rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    pixels = []
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        assert row[0] == 0
        pixels += [tuple(row[1 + 4 * x : 5 + 4 * x]) for x in range(width)]
    return width, height, pixels


def test_the_package_holds_the_manifest_and_both_icons(tmp_path):
    path = build_package(APP_ID, "https://actionbot.example.org/", tmp_path / "out" / "actionbot.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = read_png(archive.read("color.png"))
        outline = read_png(archive.read("outline.png"))

    assert manifest["manifestVersion"] == "1.30" and "/v1.30/" in manifest["$schema"]
    assert manifest["id"] == APP_ID
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["validDomains"] == ["actionbot.example.org"]
    assert all(
        manifest["developer"][k].startswith("https://actionbot.example.org/") for k in ("privacyUrl", "termsOfUseUrl")
    )
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80

    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    (commands,) = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert len(titles) <= 10 and {"add", "list", "my actions", "overdue", "done", "help"} <= set(titles)
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])

    (extension,) = manifest["composeExtensions"]
    (action,) = extension["commands"]
    assert extension["botId"] == APP_ID
    assert (action["type"], action["title"], action["context"], action["fetchTask"]) == (
        "action",
        "Create follow-up action",
        ["message"],
        True,
    )

    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    assert all(a == 255 for *_, a in color[2])  # the colour icon is opaque, full bleed
    # the outline icon: white, on transparent, and something is drawn
    assert all((r, g, b) == (255, 255, 255) for r, g, b, _ in outline[2])
    assert {a for *_, a in outline[2]} == {0, 255}


def test_a_port_in_the_public_url_stays_in_the_valid_domain(tmp_path):
    path = build_package(APP_ID, "https://bot.example.org:8443", tmp_path / "p.zip")
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("manifest.json"))["validDomains"] == ["bot.example.org:8443"]


@pytest.mark.parametrize(
    "app_id, url, message",
    [
        ("not-a-guid", "https://bot.example.org", "GUID"),
        (APP_ID, "http://bot.example.org", "https"),
        (APP_ID, "bot.example.org", "https"),
    ],
)
def test_bad_inputs_are_refused_clearly(tmp_path, app_id, url, message):
    with pytest.raises(ValueError, match=message):
        build_package(app_id, url, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()


def test_the_command_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "teams.zip"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "handlers.teams.package",
            "--app-id",
            APP_ID,
            "--public-url",
            "https://a.example",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and str(out) in done.stdout
    assert zipfile.ZipFile(out).testzip() is None

    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    assert main(["--public-url", "https://a.example", "--out", str(tmp_path / "x.zip")]) == 2
    assert "TEAMS_APP_ID" in capsys.readouterr().err
    assert main(["--app-id", "nope", "--public-url", "https://a.example", "--out", str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert "GUID" in err and "Traceback" not in err
