"""How a run picks its bidi mode (--bidi, $READER_BIDI, the app's saved setting, 'app'), and
what a $READER_BIDI that names no mode does: the same for every command and the app (it is
ignored, and said once on stderr; the app also shows it, as its screen covers stderr)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.told import Told

from reader.cli import main
from reader.store.database import Store
from reader.text.modes import resolve_bidi_mode

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
OPML = ROOT / "tests" / "fixtures" / "opml" / "newsboat.opml"
WARNING = "READER_BIDI is 'sideways', which is neither 'app' nor 'terminal'; it is ignored."


@pytest.mark.parametrize(
    ("cli", "env", "saved", "mode", "warns"),
    [
        (None, None, None, "app", False),
        (None, "", None, "app", False),  # set but empty counts as unset
        (None, "terminal", None, "terminal", False),
        (None, None, "terminal", "terminal", False),
        (None, "app", "terminal", "app", False),  # the environment over the saved setting
        ("app", "terminal", "terminal", "app", False),  # --bidi over both
        (None, "sideways", None, "app", True),
        (None, "sideways", "terminal", "terminal", True),  # ignored: as if unset
        ("terminal", "sideways", None, "terminal", True),
        (None, None, "sideways", "app", False),  # a damaged saved value is not the user's
    ],
)
def test_precedence_and_a_bad_environment_value(
    cli: str | None, env: str | None, saved: str | None, mode: str, warns: bool
) -> None:
    chosen, warning = resolve_bidi_mode(cli, env, saved)
    assert chosen == mode
    assert warning == (WARNING if warns else None)


def _annotation_file(tmp_path: Path) -> Path:
    """A Web Annotation file for `reader import` (its article is not in the library)."""
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": "urn:reader:test:1",
        "body": {"type": "TextualBody", "value": "ملاحظة"},
        "target": {
            "source": "https://example.com/elsewhere",
            "selector": {"type": "TextQuoteSelector", "exact": "نص"},
        },
    }
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(annotation, ensure_ascii=False), encoding="utf-8")
    return path


DATE_CREATED = re.compile(r"<dateCreated>[^<]*</dateCreated>")

COMMANDS: list[tuple[str, ...]] = [
    ("list",),
    ("list", "--json"),
    ("search", "الرياض"),
    ("add", str(SEED)),
    ("render", str(SEED), "--width", "40"),
    ("render", "--plain", str(SEED), "--width", "40"),
    ("entities", str(SEED)),
    ("feed", "list"),
    ("feed", "import", str(OPML)),
    ("feed", "export", "-o", "-"),
    ("feed", "remove", "https://example.com/not-subscribed"),
    ("refresh",),
    ("export", "--all", "-o", "OUT"),
    ("import", "NOTES"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_ignores_a_bad_value_and_says_so_once(
    command: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run as the command line runs it, with $READER_BIDI unset and then bad (each on a fresh
    library): the same status and output, and one sentence more on stderr, first."""
    monkeypatch.setenv("COLUMNS", "100")
    replacements = {"OUT": str(tmp_path / "out"), "NOTES": ""}
    if "NOTES" in command:
        replacements["NOTES"] = str(_annotation_file(tmp_path))
    argv = [replacements.get(word, word) for word in command]
    runs = []
    for name, env in (("unset", None), ("bad", "sideways")):
        if env is None:
            monkeypatch.delenv("READER_BIDI", raising=False)
        else:
            monkeypatch.setenv("READER_BIDI", env)
        capsys.readouterr()
        status = main(["--db", str(tmp_path / name / "reader.json"), *argv])
        out, err = capsys.readouterr()
        # The OPML export says when it was made: two runs may fall in different seconds.
        runs.append((status, DATE_CREATED.sub("<dateCreated/>", out), err))
    (status, out, err), (bad_status, bad_out, bad_err) = runs
    assert bad_status == status
    assert bad_out == out
    assert bad_err == f"reader: {WARNING}\n" + err


def test_render_in_a_bad_mode_draws_as_the_default_does() -> None:
    """`reader render` used to refuse to run; a bad value now draws as 'app' (shaped), not as
    'terminal' (logical text)."""

    def render(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        import os

        environment = {k: v for k, v in os.environ.items() if k != "READER_BIDI"}
        environment.update({"READER_DB": "/nonexistent/reader.json", **env})
        return subprocess.run(
            [sys.executable, "-m", "reader", "render", str(SEED), "--width", "40"],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )

    default, bad, terminal = (
        render({}),
        render({"READER_BIDI": "sideways"}),
        render({"READER_BIDI": "terminal"}),
    )
    assert (default.returncode, bad.returncode) == (0, 0)
    assert bad.stdout == default.stdout != terminal.stdout
    assert bad.stderr == f"reader: {WARNING}\n"


async def test_the_app_ignores_a_bad_value_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: Told
) -> None:
    db = tmp_path / "reader.json"
    with Store.open(db) as store:
        store.set_setting("bidi_mode", "terminal")
    monkeypatch.setenv("READER_BIDI", "sideways")
    app = make_app(db, seed=False)
    assert app.bidi_mode == "terminal"  # the saved setting, as if $READER_BIDI were unset
    async with app.run_test(size=(100, 30), message_hook=told.hook) as pilot:
        await pilot.pause()
        assert told.messages.count(WARNING) == 1
    app.store.close()
    fresh = make_app(tmp_path / "fresh" / "reader.json", seed=False)
    fresh.store.close()
    assert fresh.bidi_mode == "app"
