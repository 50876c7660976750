"""The `tunesmith` command's subcommands agree: one message and one exit code for a
folder without a project, help text on every option, help without reStructuredText."""

from __future__ import annotations

import argparse

import pytest

from tunesmith.cli import build_parser, main

#: Each reading subcommand, with what it needs besides the project folder.
READERS = {
    "summary": [],
    "export": [],
    "report": [],
    "backup": ["{tmp}/copy"],
    "recover": [],
    "tensorboard": ["--logdir", "{tmp}/logs"],
    "dashboard": ["--port", "0"],
}


def _run(command, path, tmp_path):
    extra = [arg.format(tmp=tmp_path) for arg in READERS[command]]
    return main([command, str(path), *extra])


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_missing_folder_gives_every_command_one_message_and_exit_code(command, tmp_path, capsys):
    missing = tmp_path / "nothing"
    assert _run(command, missing, tmp_path) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"tunesmith: No tunesmith project at {missing}: ")
    assert "there is no such folder" in captured.err and "tunesmith.db" in captured.err
    assert not missing.exists()


@pytest.mark.parametrize("command", sorted(set(READERS) - {"dashboard"}))
def test_a_folder_without_a_store_gives_the_same_message(command, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(command, empty, tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tunesmith: No tunesmith project at {empty}: ")
    assert "holds no tunesmith.db" in err
    assert list(empty.iterdir()) == []


def _subparsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _subparsers(child)


def _parsers():
    return list(_subparsers(build_parser()))


@pytest.mark.parametrize("parser", _parsers(), ids=lambda p: p.prog)
def test_every_option_has_help_text(parser):
    bare = [
        action.dest
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert not bare, f"{parser.prog}: options without help: {bare}"


@pytest.mark.parametrize("parser", _parsers(), ids=lambda p: p.prog)
def test_help_has_no_restructuredtext_literals(parser):
    assert "``" not in parser.format_help()
