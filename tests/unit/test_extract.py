from mnemo.memory import extract
from mnemo.memory.rules import Fact


def test_model_extraction_keeps_only_facts_grounded_in_the_message():
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


def test_model_extraction_keeps_no_name_that_is_no_name():
    message = "Hi, I'm not sure, I'm Ada's friend. My name is Bo, not Not."
    raw = (
        '{"facts": [{"subject": "name", "statement": "The user\'s name is I\'m."},'
        ' {"subject": "name", "statement": "The user\'s name is Not"},'
        ' {"subject": "name", "statement": "The user\'s name is Bo."}]}'
    )
    assert extract.parse(raw, message) == [Fact("fact", "The user's name is Bo.", "name")]
