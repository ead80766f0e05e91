"""`mnemo ask`'s approval prompt on a (fake) terminal, and the stderr line of each call."""

import io

import pytest

from mnemo.cli.approval import CHOICES, call_line, is_terminal, question, terminal_approver
from mnemo.tools.policy import Answer
from mnemo.tools.toolbox import ToolCall


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _ask(answers: str, call: ToolCall, **kw) -> tuple[Answer, str]:
    stdin, stderr = Tty(answers), Tty()
    answer = terminal_approver(stdin, stderr, **kw)(call)
    return answer, stderr.getvalue()


TIME = ToolCall("get_current_time", "time", {"timezone": "Asia/Tokyo"})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("o\n", Answer.ONCE),
        ("once\n", Answer.ONCE),
        ("A\n", Answer.ALWAYS),
        ("always\n", Answer.ALWAYS),
        ("d\n", Answer.DENY),
        ("  deny \n", Answer.DENY),
        ("", Answer.DENY),  # end of input: nobody said yes
        ("maybe\nwhat\nhuh\n", Answer.DENY),  # three answers that are none: denied
        ("\nx\na\n", Answer.ALWAYS),  # asked again until it is one
    ],
)
def test_the_answer_typed_is_the_answer_returned(typed, expected):
    answer, shown = _ask(typed, TIME)
    assert answer is expected
    assert shown.startswith('Allow mnemo to run get_current_time (time) with {"timezone": "Asia/Tokyo"}? ')
    assert CHOICES in shown


def test_asked_again_says_what_the_answers_are():
    answer, shown = _ask("yes please\no\n", TIME)
    assert answer is Answer.ONCE
    assert "answer o (allow once), a (always allow this tool) or d (deny)" in shown
    assert shown.count("Allow mnemo") == 1


def test_long_arguments_are_shown_pretty_and_cut_after_forty_lines():
    content = "\n".join(f"line {i}" for i in range(10))
    call = ToolCall("write_file", "files", {"path": "/tmp/notes.txt", "content": content})
    q = question(call)
    assert q.startswith("Allow mnemo to run write_file (files) with these arguments?\n")
    assert '  "path": "/tmp/notes.txt",' in q and q.endswith(f"{CHOICES} ")
    many = ToolCall("edit", "files", {f"k{i}": i for i in range(60)})
    lines = question(many).splitlines()
    assert "… 22 more lines" in lines[-2] and len(lines) == 1 + 40 + 1 + 1


def test_a_call_without_arguments_and_escape_sequences_in_them():
    assert question(ToolCall("current_time", "mnemo")) == f"Allow mnemo to run current_time (mnemo)? {CHOICES} "
    sneaky = question(ToolCall("run", "evil", {"cmd": "\x1b]52;c;aGk=\x07"}))
    assert "\x1b" not in sneaky and "\x07" not in sneaky


def test_before_runs_before_the_question():
    seen = []
    stdin, stderr = Tty("o\n"), Tty()

    def before():
        seen.append(stderr.getvalue())

    terminal_approver(stdin, stderr, before=before)(TIME)
    assert seen == [""]


def test_only_a_terminal_on_both_sides_can_be_asked():
    assert is_terminal(Tty(), Tty())
    assert not is_terminal(io.StringIO(), Tty())
    assert not is_terminal(Tty(), io.StringIO())
    assert not is_terminal(None, Tty())


def test_the_line_of_each_call():
    ran = ToolCall("get_current_time", "time", {}, decision="allow", why="you allowed it", result="{}", ms=41)
    assert call_line(ran) == "tool get_current_time (time): allowed, 41 ms"
    cut = ToolCall("read_file", "mnemo", {}, decision="allow", result="x", ms=3, cut=True)
    assert call_line(cut) == "tool read_file (mnemo): allowed, 3 ms, result cut to fit"
    failed = ToolCall("slow", "probe", {}, decision="allow", error="slow on 'probe' did not answer within 1 s", ms=1000)
    assert (
        call_line(failed)
        == "tool slow (probe): allowed, failed after 1000 ms: slow on 'probe' did not answer within 1 s"
    )
    unasked = ToolCall("write_file", "files", {}, why="not allowed without a terminal to ask (use --allow-tool NAME)")
    assert call_line(unasked) == (
        "tool write_file (files): denied: not allowed without a terminal to ask (use --allow-tool write_file)"
    )
    assert (
        call_line(ToolCall("forget", "mnemo", {}, why="you denied it")) == "tool forget (mnemo): denied: you denied it"
    )
