import pytest

from mnemo.memory import rules
from mnemo.memory.rules import CancelTask, Fact, Forget, ListOp, NewTask, Remember

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "text, text_out, subject",
    [
        ("My dog is called Rex", "The user's dog is called Rex.", "dog name"),
        ("My dog's name is Rex.", "The user's dog is called Rex.", "dog name"),
        ("I live in Prague.", "The user lives in Prague.", "home"),
        ("I just moved to Berlin, it is cold", "The user lives in Berlin.", "home"),
        ("My favourite colour is now Red.", "The user's favourite colour is Red.", "favourite colour"),
        ("My favorite color is Brown", "The user's favourite color is Brown.", "favourite colour"),
        ("Hi, my name is Ada Lovelace.", "The user's name is Ada Lovelace.", "name"),
        ("I work as a nurse", "The user works as a nurse.", "work"),
        ("My car is a red Skoda", "The user's car is a red Skoda.", "car"),
    ],
)
def test_facts_with_subjects(text, text_out, subject):
    [fact] = rules.facts(text)
    assert (fact.text, fact.subject) == (text_out, subject)


def test_name_is_pinned_and_instructions_are_kept_in_the_profile():
    assert rules.facts("My name is Bob")[0].pinned
    [instruction] = rules.facts("From now on, answer in French")
    assert instruction.kind == "instruction" and instruction.pinned and instruction.subject is None


@pytest.mark.parametrize(
    "text", ["What is my dog's name?", "My question is simple.", "Where do I live?", "The weather is nice today."]
)
def test_questions_and_chatter_state_nothing(text):
    assert rules.facts(text) == []


def test_preferences_accumulate_without_a_subject():
    [like] = rules.facts("I really love hiking in the mountains")
    assert like == Fact("preference", "The user loves hiking in the mountains.")


@pytest.mark.parametrize(
    "text, ops",
    [
        ("add 2 milk", [ListOp("shopping list", "add", "milk", 2)]),
        (
            "Add 3 eggs, 2 onions and a cucumber to my shopping list.",
            [
                ListOp("shopping list", "add", "eggs", 3),
                ListOp("shopping list", "add", "onions", 2),
                ListOp("shopping list", "add", "cucumber", 1),
            ],
        ),
        ("Please add a loaf of bread to the shopping list", [ListOp("shopping list", "add", "bread", 1)]),
        (
            "remove 1 milk",
            [ListOp("shopping list", "remove", "milk", 1, implied=True)],
        ),  # no list named: silent if absent
        ("Remove the eggs from my shopping list", [ListOp("shopping list", "remove", "eggs", None)]),
        ("Add 2 books to my reading list", [ListOp("reading list", "add", "books", 2)]),
        ("I bought everything, clear the list", [ListOp("shopping list", "clear")]),
        ("add it to my calendar", []),
    ],
)
def test_list_operations(text, ops):
    assert rules.list_ops(text) == ops


def test_forget_and_remember_requests():
    assert rules.parse("forget where I live", NOW) == [Forget("where I live")]
    assert rules.parse("/forget my dog", NOW) == [Forget("my dog")]
    assert rules.parse("Please forget about my old address", NOW) == [Forget("my old address")]
    assert rules.parse("Forget it, never mind", NOW) == []
    assert rules.parse("remember that my wife is called Jane", NOW) == [Remember("my wife is called Jane")]
    assert rules.parse("/remember I prefer tea", NOW) == [Remember("I prefer tea")]


def test_prospective_tasks():
    [task] = rules.parse("In your third reply from now, append the quote 'Carpe diem'", NOW)
    assert task == NewTask("after_replies", "append", "Carpe diem", replies=3)
    [task] = rules.parse('Please append the quote "Veni vidi vici" to your 5th response after this one.', NOW)
    assert (task.replies, task.text, task.action) == (5, "Veni vidi vici", "append")
    [trigger] = rules.parse("Whenever I say 'Achooo!' say 'Here is a tissue for you'", NOW)
    assert trigger == NewTask("on_message", "say", "Here is a tissue for you", trigger="Achooo!", repeat=True)
    assert rules.parse("Stop responding to 'Achooo!'", NOW) == [CancelTask("Achooo!")]
    [remind] = rules.parse("remind me to call mum in 2 hours", NOW)
    assert (remind.kind, remind.text, remind.due_at) == ("at_time", "call mum", NOW + 7200)


def test_third_person():
    assert rules.third_person("I prefer my tea without sugar") == "The user prefers the user's tea without sugar."
    assert rules.third_person("I watch films and I fly kites") == "The user watches films and the user flies kites."
    assert rules.third_person("I don't eat meat") == "The user doesn't eat meat."
    assert rules.third_person("I'm allergic to nuts") == "The user is allergic to nuts."


def test_model_extraction_keeps_only_facts_grounded_in_the_message():
    from mnemo.memory import extract

    message = "My sister Anna studies medicine in Vienna."
    raw = (
        '{"facts": [{"subject": "sister", "statement": "The user\'s sister Anna studies medicine in Vienna"},'
        ' {"subject": "The user", "statement": "The user is a famous pianist."},'
        ' {"subject": "The user", "statement": "Anna"}]}'
    )
    assert extract.parse(raw, message) == [Fact("fact", "The user's sister Anna studies medicine in Vienna.", "sister")]
    assert extract.parse("not json", message) == []
    grounded = extract.parse('{"facts": [{"subject": "The user", "statement": "The user\'s sister is Anna"}]}', message)
    assert grounded[0].subject is None  # "the user" is no subject: it would supersede everything
