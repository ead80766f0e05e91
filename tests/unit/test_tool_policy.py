"""Nothing runs without a decision: the standing rules, asking, and no terminal to ask."""

import pytest

from mnemo.tools.policy import Answer, Rule, decide, denial_result, rule_for


def test_what_the_user_set_wins_then_trusted_read_only_then_ask():
    assert rule_for("commit", {"commit": "deny"}, trusted=True, read_only=True) is Rule.DENY
    assert rule_for("status", {"status": "allow"}, trusted=False, read_only=False) is Rule.ALLOW
    assert rule_for("status", {}, trusted=True, read_only=True) is Rule.ALLOW
    assert rule_for("status", {}, trusted=False, read_only=True) is Rule.ASK  # a hint from an untrusted server
    assert rule_for("commit", {}, trusted=True, read_only=False) is Rule.ASK
    with pytest.raises(ValueError):
        rule_for("x", {"x": "sometimes"}, trusted=False, read_only=False)


def test_asking():
    asked = []

    def ask(answer):
        return lambda: asked.append(answer) or answer

    assert decide(Rule.ASK, ask=ask(Answer.ONCE)) == (decide(Rule.ASK, ask=ask("once"))[0], Answer.ONCE)
    allowed, answer = decide(Rule.ASK, ask=ask(Answer.ALWAYS))
    assert allowed.allowed and answer is Answer.ALWAYS and "always" in allowed.why
    denied, answer = decide(Rule.ASK, ask=ask(Answer.DENY))
    assert not denied.allowed and answer is Answer.DENY and denied.why == "you denied it"
    assert len(asked) == 4
    # standing rules never ask
    assert (
        decide(Rule.ALLOW, ask=ask(Answer.DENY))[0].allowed
        and decide(Rule.DENY, ask=ask(Answer.ONCE))[0].allowed is False
    )
    assert len(asked) == 4


def test_no_terminal_to_ask_denies_unless_the_run_named_the_tool():
    denied, _ = decide(Rule.ASK)
    assert not denied.allowed and "--allow-tool" in denied.why
    assert decide(Rule.ASK, named=True)[0].allowed
    assert not decide(Rule.DENY, named=True)[0].allowed  # config.toml's deny is not overridden by a flag
    said = denial_result("git_commit", denied)
    assert said.startswith("The call to git_commit did not run: not allowed without a terminal")
