"""Tasks for later: after replies, on a message, at a time, and cancelling them
(mnemo/memory/rules/task.py, times.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import CancelTask, NewTask
from tests.unit.rules import NOW, acted_on, parsed

AFTER_REPLIES = [
    ("replies-nth", "In your 5th response, append 'Stay curious.'", 5, "append"),
    ("replies-nth", "append the quote 'Be yourself' to your 5th response", 5, "append"),
    ("replies-in-n", "in two replies say 'hello there'", 2, "say"),
    ("replies-nth", "the fifth reply from now should end with 'Bye'", 5, "append"),
    ("replies-after-n", "after three more answers, say 'done'", 3, "say"),
    ("replies-nth", "In your next reply include 'PS: hi'", 1, "append"),
    ("replies-n-from-now", "three responses from now, write 'checkpoint'", 3, "say"),
    ("replies-nth", "on your 4th reply from now add 'Note: x'", 4, "append"),
    ("replies-nth", "Say 'ping' in your third answer from now", 3, "say"),
    ("replies-n-from-now", "two messages from now, tell me 'drink water'", 2, "say"),
    ("replies-number-n", "In reply number five from now, append 'over and out'", 5, "append"),
    ("replies-n-from-now", "Three answers later, tack on the line 'be kind'", 3, "append"),
]


@pytest.mark.parametrize("label, text, n, action", AFTER_REPLIES)
def test_tasks_after_replies(label, text, n, action):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "after_replies" and tasks[0].replies == n, parsed(text)
    assert tasks[0].action == action


# No quoted words: what to add is for the model to write then.
UNQUOTED = [
    (
        "replies-nth",
        "append the quote from Ralph Waldo Emerson to your 5th response",
        5,
        "Append the quote from Ralph Waldo Emerson",
    ),
    ("replies-nth", "in your second response from now include a quote from Seneca", 2, "Include a quote from Seneca"),
]


@pytest.mark.parametrize("label, text, n, what", UNQUOTED)
def test_an_unquoted_task_is_kept_as_an_instruction(label, text, n, what):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].replies == n and tasks[0].action == "instruct"
    assert tasks[0].text == what  # the words as given ("Ralph Waldo Emerson"), no stray "in"


REMINDED_AFTER_REPLIES = [
    ("remind-me+replies-nth", "remind me in my second reply from now to drink water", 2, "drink water"),
    ("remind-me+replies-in-n", "Could you remind me in 3 replies to Stretch", 3, "Stretch"),  # as written
]


@pytest.mark.parametrize("label, text, n, what", REMINDED_AFTER_REPLIES)
def test_remind_in_my_second_reply(label, text, n, what):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "after_replies" and tasks[0].replies == n and tasks[0].action == "remind"
    assert tasks[0].text == what  # without "could you"


REMINDERS = [
    ("remind-me+due-in-a-while", "remind me in 2 hours to call mum", 2 * 3600),
    ("remind-me+due-in-a-while", "in 20 minutes remind me to check the oven", 20 * 60),
    ("remind-me+due-in-a-while", "Remind me in an hour about the meeting", 3600),
    ("remind-me+due-in-a-while", "can you remind me in 3 days to renew my passport", 3 * 86400),
    ("remind-me+due-in-a-while", "remind me to stretch in 45 minutes", 45 * 60),
    ("remind-me+due-in-a-while", "nudge me in 10 minutes to take the pizza out", 600),
    ("remind-me+due-in-a-while", "ping me in half an hour about the laundry", 1800),
    ("remind-give-me-a-nudge+due-in-a-while", "Give me a nudge in 20 min to drink water", 20 * 60),
]


@pytest.mark.parametrize("label, text, seconds", REMINDERS)
def test_reminders_in_a_while(label, text, seconds):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "at_time" and tasks[0].action == "remind", parsed(text)
    assert tasks[0].due_at == pytest.approx(NOW + seconds)


AT_TIMES = [
    (
        "remind-me+due-on-a-day+due-at-a-time",
        "remind me tomorrow at 9 to water the plants",
        datetime(2027, 1, 16, 9, 0),
    ),
    ("remind-me+due-at-a-time", "remind me at 5pm to leave", datetime(2027, 1, 15, 17, 0)),
    (
        "remind-set-a-reminder+due-at-a-time",
        "set a reminder for 6:30 pm: pick up the kids",
        datetime(2027, 1, 15, 18, 30),
    ),
    (
        "remind-me+due-on-a-day+due-at-a-time",
        "Remind me tomorrow morning at 8 to call the bank",
        datetime(2027, 1, 16, 8, 0),
    ),
    ("remind-me+due-at-a-time", "remind me at noon to eat", datetime(2027, 1, 15, 12, 0)),
    ("remind-me+due-on-a-day", "ping me tomorrow about the dentist", datetime(2027, 1, 16, 9, 0)),  # no hour: morning
    ("remind-me+due-on-a-day", "remind me tonight to lock the door", datetime(2027, 1, 15, 20, 0)),
    ("remind-me+due-on-a-day", "remind me on Wednesday to pay rent", datetime(2027, 1, 20, 9, 0)),  # NOW is a Friday
    ("remind-me+due-on-a-day", "remind me on Friday to pay rent", datetime(2027, 1, 22, 9, 0)),  # ... so the next one
    ("remind-me+due-on-a-day", "remind me next Monday to pay rent", datetime(2027, 1, 18, 9, 0)),
]


@pytest.mark.parametrize("label, text, when", AT_TIMES)
def test_reminders_at_a_time(label, text, when):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "at_time", parsed(text)
    assert tasks[0].due_at == when.timestamp()


TRIGGERS = [
    ("trigger-whenever-i-say", "whenever I say 'banana', say 'yellow!'"),
    ("trigger-whenever-i-say", "if I say 'banana' reply 'yellow!'"),
    ("trigger-whenever-i-say", "every time I write 'banana', respond with 'yellow!'"),
    ("trigger-whenever-i-say", "when I type 'banana', answer 'yellow!'"),
    ("trigger-whenever-i-say", "each time I mention 'banana' say 'yellow!'"),
    ("trigger-whenever-i-say", 'Whenever I write "banana" you should reply "yellow!"'),
    ("trigger-whenever-i-say", "If I ever say 'banana', you say 'yellow!'"),
    ("trigger-whenever-i-say", "any time I say 'banana' respond 'yellow!'"),
    ("trigger-whenever-i-say", "when I send 'banana' reply with 'yellow!'"),
    ("trigger-whenever-i-say", "Whenever you see 'banana' from me, write 'yellow!'"),
]


@pytest.mark.parametrize("label, text", TRIGGERS)
def test_triggers(label, text):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "on_message", parsed(text)
    assert tasks[0].trigger == "banana" and tasks[0].text == "yellow!"


# The same without quotes: the trigger is the words after "I type", the reply what follows
# "say" to the end.
BARE_TRIGGERS = [
    ("trigger-every-time-i-type", "every time I type banana, say yellow", "banana", "yellow"),
    ("trigger-every-time-i-type", "Whenever I say banana, reply with yellow!", "banana", "yellow!"),
    ("trigger-every-time-i-type", "each time I write gm, answer good morning.", "gm", "good morning"),
    ("trigger-every-time-i-type", "If I ever type ping, respond pong", "ping", "pong"),
    ("trigger-every-time-i-type", "when I say hi, say hello back", "hi", "hello"),
    ("trigger-every-time-i-type", "Any time I send brb you should reply see you soon", "brb", "see you soon"),
    (
        "trigger-every-time-i-type",
        "From now on, whenever I type good night, say sweet dreams",
        "good night",
        "sweet dreams",
    ),
]


@pytest.mark.parametrize("label, text, trigger, said", BARE_TRIGGERS)
def test_triggers_without_quotes(label, text, trigger, said):
    assert parsed(text) == [NewTask("on_message", "say", said, trigger=trigger, repeat=True)]


CANCELS = [
    ("cancel-quoted", "stop saying 'yellow!' when I say banana"),
    ("cancel-anymore", "stop reminding me to drink water anymore"),
    ("cancel-when-i-say", "don't reply hello when I say hi"),
    ("cancel-the-tasks", "cancel the reminder task"),
]


@pytest.mark.parametrize("label, text", CANCELS)
def test_cancel_still_works(label, text):
    assert any(isinstance(i, CancelTask) for i in parsed(text))


PROSPECTIVE = [
    (
        "replies-nth",
        "In your third reply from now, append the quote 'Carpe diem'",
        NewTask("after_replies", "append", "Carpe diem", replies=3),
    ),
    (
        "replies-nth",
        'Please append the quote "Veni vidi vici" to your 5th response after this one.',
        NewTask("after_replies", "append", "Veni vidi vici", replies=5),
    ),
    (
        "trigger-whenever-i-say",
        "Whenever I say 'Achooo!' say 'Here is a tissue for you'",
        NewTask("on_message", "say", "Here is a tissue for you", trigger="Achooo!", repeat=True),
    ),
    ("cancel-quoted", "Stop responding to 'Achooo!'", CancelTask("Achooo!")),
    (
        "remind-me+due-in-a-while",
        "remind me to call mum in 2 hours",
        NewTask("at_time", "remind", "call mum", due_at=NOW + 7200),
    ),
]


@pytest.mark.parametrize("label, text, task", PROSPECTIVE)
def test_prospective_tasks(label, text, task):
    assert rules.parse(text, NOW) == [task]


NOT_TASKS = [
    ("remind-me", "Can you remind me how recursion works?"),
    ("trigger-whenever-i-say", "Whenever you can, explain monads"),
    ("replies-nth", "My second reply was wrong"),
    ("replies-n-from-now", "Two answers later I realised it was wrong"),
    ("trigger-every-time-i-type", "When I write code, reply in English"),
    ("trigger-every-time-i-type", "If I say something wrong, tell me"),
    ("trigger-every-time-i-type", "When I type fast, answer briefly"),
    ("trigger-every-time-i-type", "when I say done, reply with a summary"),
    ("trigger-every-time-i-type", "Whenever I type a question, answer it"),
    ("trigger-every-time-i-type", "When I say stop, you stop"),
]


@pytest.mark.parametrize("label, text", NOT_TASKS)
def test_near_misses_do_not_trigger(label, text):
    found = acted_on(text)
    assert not found, found


# A task that names what the user gave before, as five people would say it: the rules read
# what it names; the bank finds the thing itself when the task is set (test_memory.py).
REFERENCES = [
    (
        "replies-nth+refers-the-noun-by",
        "append the quote from Ada Lovelace to your 5th reply from now",
        5,
        "append",
        ("quote", "Ada Lovelace", None),
    ),
    (
        "replies-in-n+refers-the-noun-by",
        "In three replies, add the quote by Marcus Aurelius at the end",
        3,
        "append",
        ("quote", "Marcus Aurelius", None),
    ),
    (
        "replies-nth+refers-the-noun-by",
        "please include the poem by Mary Oliver in your second answer",
        2,
        "append",
        ("poem", "Mary Oliver", None),
    ),
    (
        "replies-after-n+refers-the-noun-by",
        "after two more replies, attach that quotation from seneca",
        2,
        "append",
        ("quote", "seneca", None),
    ),
    (
        "replies-nth+refers-the-noun-by",
        "Say the quote from Ada Lovelace in your third reply",
        3,
        "say",
        ("quote", "Ada Lovelace", None),
    ),
    (
        "replies-nth+refers-whose-noun",
        "Add Ada Lovelace's quote to your 4th reply",
        4,
        "append",
        ("quote", "Ada Lovelace", None),
    ),
    (
        "replies-in-n+refers-whose-noun",
        "in two responses, end with Oscar Wilde's line",
        2,
        "append",
        ("quote", "Oscar Wilde", None),
    ),
    ("replies-nth+refers-whose-noun", "Append Keats's poem to your fifth reply", 5, "append", ("poem", "Keats", None)),
    (
        "replies-n-from-now+refers-whose-noun",
        "three replies from now, repeat Grandma's saying to me",
        3,
        "say",
        ("quote", "Grandma", None),
    ),
    (
        "replies-nth+refers-whose-noun",
        "put Yoda's quote at the end of your 2nd answer",
        2,
        "append",
        ("quote", "Yoda", None),
    ),
    (
        "replies-nth+refers-the-noun-i-gave",
        "append the poem I gave you to your 3rd reply",
        3,
        "append",
        ("poem", None, None),
    ),
    (
        "replies-in-n+refers-the-noun-i-gave",
        "in 2 replies add the link I sent earlier",
        2,
        "append",
        ("link", None, None),
    ),
    (
        "replies-nth+refers-the-noun-i-gave",
        "Include the quote I shared above in your next reply",
        1,
        "append",
        ("quote", None, None),
    ),
    (
        "replies-after-n+refers-the-noun-i-gave",
        "After 4 answers, say the joke I told you",
        4,
        "say",
        ("joke", None, None),
    ),
    (
        "replies-nth+refers-the-noun-i-gave",
        "at the end of your 2nd response, add the haiku I wrote",
        2,
        "append",
        ("poem", None, None),
    ),
    (
        "replies-nth+refers-the-noun-about",
        "append the joke about penguins to your 3rd reply",
        3,
        "append",
        ("joke", None, "penguins"),
    ),
    (
        "replies-in-n+refers-the-noun-about",
        "in two replies, include the quote about patience",
        2,
        "append",
        ("quote", None, "patience"),
    ),
    (
        "replies-nth+refers-the-noun-about",
        "Say the poem about the sea in your fourth answer",
        4,
        "say",
        ("poem", None, "the sea"),
    ),
    (
        "replies-after-n+refers-the-noun-about",
        "after three replies attach the tip about sleep",
        3,
        "append",
        ("tip", None, "sleep"),
    ),
    (
        "replies-nth+refers-the-noun-about",
        "add the fact about octopuses to your 2nd reply",
        2,
        "append",
        ("fact", None, "octopuses"),
    ),
    ("replies-nth+refers-that-noun", "append that quote to your 5th reply", 5, "append", ("quote", None, None)),
    ("replies-in-n+refers-that-noun", "in 3 replies, include my motto", 3, "append", ("quote", None, None)),
    ("replies-nth+refers-that-noun", "Repeat that poem in your second reply", 2, "say", ("poem", None, None)),
    ("replies-after-n+refers-that-noun", "after two replies, add the same joke", 2, "append", ("joke", None, None)),
    ("replies-nth+refers-that-noun", "End your third answer with this quote", 3, "append", ("quote", None, None)),
    ("replies-nth+refers-it", "append it to your 5th reply", 5, "append", ("it", None, None)),
    ("replies-in-n+refers-it", "In two replies, say it back", 2, "say", ("it", None, None)),
    ("replies-nth+refers-it", "add that to your third answer", 3, "append", ("it", None, None)),
    ("replies-nth+refers-it", "Include those words in your 4th reply", 4, "append", ("it", None, None)),
    ("replies-nth+refers-it", "put this at the end of your 2nd reply", 2, "append", ("it", None, None)),
]


@pytest.mark.parametrize("label, text, n, action, names", REFERENCES)
def test_a_task_that_names_what_was_given_before(label, text, n, action, names):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].replies == n, parsed(text)
    assert tasks[0].action == ("say" if action == "say" else "instruct")  # appended once it is found
    assert tasks[0].refers == rules.Reference(*names)


given_things = [
    (
        "Here is a quote by Ada Lovelace: 'That brain of mine is something more than merely mortal; "
        "as time will show.'",
        ("quote", "Ada Lovelace", None),
        '"That brain of mine is something more than merely mortal; as time will show." — Ada Lovelace',
    ),
    (
        "My favourite quotation from ada lovelace is “The Analytical Engine weaves algebraic patterns”.",
        ("quote", "Ada Lovelace", None),
        '"The Analytical Engine weaves algebraic patterns" — ada lovelace',
    ),
    (
        "Here's a haiku I wrote: An old silent pond, a frog jumps in",
        ("poem", None, None),
        "An old silent pond, a frog jumps in",
    ),
    ("I love this site: https://example.org/read.", ("link", None, None), "https://example.org/read"),
    (
        "A joke about penguins: \"Why don't penguins fly? They can't afford tickets.\"",
        ("joke", None, "penguins"),
        "\"Why don't penguins fly? They can't afford tickets.\"",
    ),
]


@pytest.mark.parametrize("text, names, thing", given_things)
def test_the_thing_a_task_names_is_found_as_given(text, names, thing):
    assert rules.referent(text, rules.Reference(*names)) == thing


@pytest.mark.parametrize(
    "text, names",
    [
        (
            "Here is a quote by Seneca: 'Luck is what happens when preparation meets opportunity.'",
            ("quote", "Ada Lovelace", None),
        ),
        ("It's a quote I like", ("quote", None, None)),  # no quote in it
        ("Here is a poem: 'Roses are red'", ("joke", None, None)),
        ("A joke about cats: 'Meow meow meow'", ("joke", None, "penguins")),
    ],
)
def test_a_message_that_does_not_give_it_is_not_the_thing(text, names):
    assert rules.referent(text, rules.Reference(*names)) is None
