"""Questions memory answers itself, in the form asked for (mnemo/memory/rules/question.py):
what is on a list, and every value the user gave for something."""

from __future__ import annotations

import pytest

from mnemo.memory.rules import Asked, Form
from tests.unit.rules import parsed

# What is on a list, as five people (at least) would ask it.
LIST_QUESTIONS = [
    ("asked-list-whats-on", "What's on my shopping list?", "shopping list"),
    ("asked-list-whats-on", "what is on the list", "shopping list"),
    ("asked-list-whats-on", "Can you tell me what's on my grocery list?", "grocery list"),
    ("asked-list-whats-on", "Remind me what's on my list", "shopping list"),
    ("asked-list-whats-on", "What have I got on my shopping list so far?", "shopping list"),
    ("asked-list-whats-on", "Hey, what's left on our list?", "shopping list"),
    ("asked-list-whats-on", "What do I have on my todo list?", "todo list"),
    ("asked-list-show", "Show me my shopping list", "shopping list"),
    ("asked-list-show", "Please read me my list.", "shopping list"),
    ("asked-list-show", "could you list my shopping list", "shopping list"),
    ("asked-list-show", "Give me the list again", "shopping list"),
    ("asked-list-show", "read out my packing list", "packing list"),
    ("asked-list-what-to-buy", "What do I need to buy?", "shopping list"),
    ("asked-list-what-to-buy", "What should we get at the supermarket?", "shopping list"),
    ("asked-list-what-i-need", "Remind me what I need to pick up", "shopping list"),
    ("asked-list-what-i-need", "tell me what we need to buy", "shopping list"),
    ("asked-list-what-i-need", "What I need to get?", "shopping list"),
    ("asked-list-what-i-need", "remind me what we still need to buy please", "shopping list"),
    ("asked-list-what-i-need", "Do you remember what I need to buy?", "shopping list"),
    ("asked-list-whats-on", "What is on my shopping list?", "shopping list"),  # was a near miss of "add"
    ("asked-list-what-to-buy", "ok so what do I still need to buy", "shopping list"),
    ("asked-list-what-to-buy", "What did I say I'd buy?", "shopping list"),
    ("asked-list-anything-on", "Is there anything on my shopping list?", "shopping list"),
    ("asked-list-anything-on", "Do I have anything on my list?", "shopping list"),
    ("asked-list-anything-on", "are there any items on the list?", "shopping list"),
    ("asked-list-anything-on", "Have I got anything on my grocery list", "grocery list"),
    ("asked-list-anything-on", "is there anything in our list", "shopping list"),
    ("asked-list-anything-on", "Is there anything on my list right now?", "shopping list"),
    ("asked-list-whats-on", "Which items are on my shopping list?", "shopping list"),
    ("asked-list-whats-on", "what's in my shopping list at the moment", "shopping list"),
    ("asked-list-can-i-see", "Can I see my shopping list?", "shopping list"),
    ("asked-list-can-i-see", "could I have the list please", "shopping list"),
    ("asked-list-can-i-see", "May I see my grocery list", "grocery list"),
    ("asked-list-can-i-see", "can we look at our list", "shopping list"),
    ("asked-list-can-i-see", "Can I get my shopping list now?", "shopping list"),
    ("asked-list-what-groceries", "What groceries do I need?", "shopping list"),
    ("asked-list-what-groceries", "which items do we still need to buy", "shopping list"),
    ("asked-list-what-groceries", "What food do I need from the supermarket?", "shopping list"),
    ("asked-list-what-groceries", "What things do we need?", "shopping list"),
    ("asked-list-what-groceries", "what shopping do I need to get", "shopping list"),
    ("asked-list-what-to-buy", "What do I have to get from the store?", "shopping list"),
]


@pytest.mark.parametrize("label, text, name", LIST_QUESTIONS)
def test_a_question_about_a_list(label, text, name):
    assert parsed(text) == [Asked("list", name)]


# Every value the user gave for something, as five people (at least) would ask it.
HISTORY_QUESTIONS = [
    ("asked-history-all-given", "What are all the names I have given you?", "name", False),
    ("asked-history-all-given", "what are all the names i've told you", "name", False),
    ("asked-history-all-given", "What were the names I gave you?", "name", False),
    ("asked-history-all-given", "What are all the favourite colours I've told you?", "favourite colour", False),
    ("asked-history-all-given", "What are all of the addresses I've given you so far?", "home", False),
    ("asked-history-which-given", "What names have I given you?", "name", False),
    ("asked-history-which-given", "Which names did I tell you so far?", "name", False),
    ("asked-history-which-given", "what nicknames have I used", "name", False),
    ("asked-history-which-given", "Which favourite colours have I mentioned?", "favourite colour", False),
    ("asked-history-which-given", "What names did I go by?", "name", False),
    ("asked-history-list-every", "List every name I've given you.", "name", False),
    ("asked-history-list-every", "Tell me all the names I gave you", "name", False),
    ("asked-history-list-every", "Can you repeat all the names I have told you?", "name", False),
    ("asked-history-list-every", "show me every favourite colour I've told you", "favourite colour", False),
    ("asked-history-list-every", "Name all the names I've used", "name", False),
    ("asked-history-previous", "What was my name before?", "name", True),
    ("asked-history-previous", "What were my previous names?", "name", True),
    ("asked-history-previous", "what was my old address", "home", True),
    ("asked-history-previous", "What was my favourite colour before that?", "favourite colour", True),
    ("asked-history-previous", "What was my earlier name?", "name", True),
    ("asked-history-of", "Show me the history of my name", "name", False),
    ("asked-history-of", "What's the history of my favourite colour?", "favourite colour", False),
    ("asked-history-of", "give me the full history of my name", "name", False),
    ("asked-history-of", "Tell me the history of my address please", "home", False),
    ("asked-history-of", "what is the whole history of my name?", "name", False),
    ("asked-history-which-given", "What names have I had?", "name", False),
    ("asked-history-which-given", "Which names have I given you, in order?", "name", False),
    ("asked-history-all-my", "What were all my names?", "name", False),
    ("asked-history-all-my", "what have been all my favourite colours so far", "favourite colour", False),
    ("asked-history-all-my", "What are all my nicknames?", "name", False),
    ("asked-history-all-my", "What were all of my addresses?", "home", False),
    ("asked-history-all-my", "what are all my names over the years", "name", False),
    ("asked-history-call-me", "What have I asked you to call me?", "name", False),
    ("asked-history-call-me", "What names have you called me so far?", "name", False),
    ("asked-history-call-me", "what did I tell you to call me before", "name", False),
    ("asked-history-call-me", "What have you called me?", "name", False),
    ("asked-history-call-me", "What all have I told you to call me, in order?", "name", False),
]


@pytest.mark.parametrize("label, text, subject, earlier", HISTORY_QUESTIONS)
def test_a_question_about_what_the_user_gave_over_time(label, text, subject, earlier):
    assert parsed(text) == [Asked("history", subject, earlier=earlier)]


# How to answer, as five people (at least) would say it, with the keys they name.
FORMS = [
    (
        "asked-list-whats-on+form-json+keys-with",
        "What's on my shopping list? Answer as a JSON list with `item` and `quantity`.",
        "json",
        ("item", "quantity"),
    ),
    ("asked-list-whats-on+form-json", "what's on my list, in JSON", "json", ()),
    ("asked-list-show+form-json", "Please read me my shopping list as JSON", "json", ()),
    (
        "asked-history-which-given+form-json+keys-with",
        "What names have I given you? JSON with name and date",
        "json",
        ("name", "date"),
    ),
    (
        "asked-list-whats-on+form-json+keys-named",
        "What's on my list? Return valid JSON, keys: product, qty",
        "json",
        ("product", "qty"),
    ),
    (
        "asked-list-whats-on+keys-with",
        "What's on my list? Give it to me with the fields 'name' and 'count'",
        "json",
        ("name", "count"),
    ),
    ("asked-list-show+form-table", "show me my list as a markdown table", "table", ()),
    (
        "asked-list-whats-on+form-table+keys-with",
        "what's on my list in a table with columns item and qty",
        "table",
        ("item", "qty"),
    ),
    ("asked-list-what-to-buy+form-table", "What do I need to buy? As a table please.", "table", ()),
    ("asked-history-list-every+form-table", "List every name I've given you in a table", "table", ()),
    ("asked-list-whats-on+form-table", "What's on my list? Format it as a table.", "table", ()),
    ("asked-list-what-to-buy+form-markdown", "What do I need to buy? Bullet points please", "markdown", ()),
    (
        "asked-list-whats-on+form-markdown",
        "What have I got on my shopping list, as a bulleted list please",
        "markdown",
        (),
    ),
    (
        "asked-history-all-given+form-markdown",
        "What are all the names I've given you? Answer in Markdown.",
        "markdown",
        (),
    ),
    ("asked-list-show+form-markdown", "Show me my list as a markdown list", "markdown", ()),
    ("asked-list-whats-on+form-markdown", "what's on the list - bullets", "markdown", ()),
    ("asked-list-whats-on+form-numbered", "What's on my list? Give it to me as a numbered list", "numbered", ()),
    ("asked-history-which-given+form-numbered", "Which names have I given you, numbered?", "numbered", ()),
    ("asked-list-show+form-numbered", "Show my list as an ordered list", "numbered", ()),
    ("asked-history-of+form-numbered", "Show me the history of my name as a numbered list", "numbered", ()),
    ("asked-list-what-to-buy+form-numbered", "What do I need to buy? Numbered, please", "numbered", ()),
    (
        "asked-list-whats-on+form-comma-separated",
        "Can you tell me what's on my grocery list, comma-separated?",
        "comma-separated",
        (),
    ),
    (
        "asked-history-all-given+form-comma-separated",
        "What are all the names I gave you? On one line.",
        "comma-separated",
        (),
    ),
    ("asked-list-show+form-comma-separated", "read me my list separated by commas", "comma-separated", ()),
    ("asked-list-whats-on+form-comma-separated", "What's on my list? Comma separated", "comma-separated", ()),
    (
        "asked-history-which-given+form-comma-separated",
        "Which names did I tell you? Answer as a comma-separated list",
        "comma-separated",
        (),
    ),
    ("asked-history-list-every+form-lines", "List every name I've given you, one per line.", "lines", ()),
    ("asked-list-whats-on+form-lines", "What's on my shopping list? One item a line", "lines", ()),
    ("asked-list-whats-on+form-lines", "what's on my list, each on its own line", "lines", ()),
    ("asked-list-show+form-lines", "Show me my list line by line", "lines", ()),
    ("asked-history-which-given+form-lines", "What names have I given you? On separate lines.", "lines", ()),
    ("asked-list-whats-on+form-plain", "What's on my list? Answer in plain text.", "plain", ()),
    ("asked-history-all-given+form-plain", "What are all the names I have given you? Just plain English", "plain", ()),
    ("asked-list-what-to-buy+form-plain", "What do I need to buy? Tell me in words", "plain", ()),
    ("asked-list-show+form-plain", "Read me my list, plainly", "plain", ()),
    ("asked-history-of+form-plain", "Show me the history of my name in a sentence", "plain", ()),
]


@pytest.mark.parametrize("label, text, kind, keys", FORMS)
def test_the_form_asked_for(label, text, kind, keys):
    found = parsed(text)
    assert len(found) == 1 and isinstance(found[0], Asked), found
    assert found[0].form == Form(kind, keys)


# Near misses: more than the question (the model's, with the list recalled), or not about memory.
NOT_QUESTIONS = [
    ("asked-list-whats-on", "what's on my list and what can I cook with it?"),
    ("asked-list-whats-on", "What's on the list of UNESCO sites in Peru?"),
    ("asked-list-show", "show me a list of good books"),
    ("asked-list-what-to-buy", "What should I buy my mum for her birthday?"),
    ("asked-list-anything-on", "Is there anything on TV tonight?"),
    ("asked-history-all-given", "What are all the things I have told you?"),
    ("asked-history-which-given", "What books have I given you to read? Summarise them."),
    ("asked-history-of", "What's the history of Rome?"),
    ("form-json", "Write a JSON schema for a shopping list"),
    ("asked-list-what-groceries", "What food do I need for a lasagne?"),
    ("asked-list-can-i-see", "Can I see a list of your commands?"),
    ("asked-history-call-me", "What should you call me in French?"),
    ("asked-list-whats-on", "What's on my list of things to learn this year, and where do I start?"),
]


@pytest.mark.parametrize("label, text", NOT_QUESTIONS)
def test_near_misses_are_not_answered_from_memory(label, text):
    assert not [i for i in parsed(text) if isinstance(i, Asked)]
