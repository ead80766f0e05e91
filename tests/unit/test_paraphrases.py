"""How people actually say it: at least ten phrasings per intent, and near misses that
must not trigger. None of them is the rules' own example sentence; when a new phrasing
fails, add the class it belongs to, not the sentence."""

from __future__ import annotations

from datetime import datetime

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import CancelTask, Fact, Forget, ListOp, NewTask, Remember

NOW = datetime(2027, 1, 15, 8, 0).timestamp()


def parsed(text: str) -> list:
    return rules.parse(text, NOW)


LIST_ADDS = [
    ("I require 2 Leek", "leek", 2),
    ("I want to buy 2 Soap", "soap", 2),
    ("I need to buy 3 apples", "apple", 3),
    ("We need to get some bread", "bread", 1),
    ("Add 4 bananas to my shopping list", "banana", 4),
    ("put milk on the shopping list", "milk", 1),
    ("Could you add a dozen eggs to the list?", "egg", 12),
    ("Please add coffee to my groceries list", "coffee", 1),
    ("I have to pick up 2 lemons", "lemon", 2),
    ("Note that I need to purchase 5 candles", "candle", 5),
    ("I should buy toothpaste", "toothpaste", 1),
    ("We're out of butter, I need to buy some", "butter", 1),
    ("Don't let me forget to buy 6 onions", "onion", 6),
    ("I'd like to buy 2 Mangoes", "mango", 2),
    ("gotta buy cat food", "cat food", 1),
    ("Pls add oat milk", "oat milk", 1),
    ("We need to get some bread", "bread", 1),
    ("I need 2 kg of flour", "flour", 2),
    ("Can you stick 3 avocados on my list?", "avocado", 3),
    ("Throw some garlic on the shopping list", "garlic", 1),
    ("I'm going to need 4 tins of tomatoes", "tomato", 4),
    ("Need 2 packs of rice", "rice", 2),
    ("I'd need 3 yoghurts", "yoghurt", 3),
    ("We're running low on coffee beans", "coffee bean", 1),
    ("Shopping: 3 peppers", "pepper", 3),
    ("Could you note down 5 limes for the shop?", "lime", 5),
    ("Remember to buy 2 baguettes", "baguette", 2),
    ("jot down 2 leeks on my list", "leek", 2),
]


@pytest.mark.parametrize("text, item, quantity", LIST_ADDS)
def test_list_additions(text, item, quantity):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "add", ops
    assert ops[0].item.lower().rstrip("s").rstrip("e").startswith(item.rstrip("e")[:4]), ops
    assert ops[0].quantity == quantity


LIST_REMOVALS = [
    "remove milk from my shopping list",
    "take the eggs off the list",
    "cross off bread",
    "I bought the milk",
    "I already got the eggs",
    "I picked up the bread today",
    "no need for soap anymore",
    "I don't need leeks anymore",
    "scratch the bananas from my list",
    "delete coffee from the shopping list",
    "got the tomatoes",
    "Already have the garlic",
    "We have enough coffee beans now",
    "Never mind the watermelon",
    "Strike the limes",
]


@pytest.mark.parametrize("text", LIST_REMOVALS)
def test_list_removals(text):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "remove", ops


LIST_CLEARS = [
    "clear my shopping list",
    "reset the shopping list",
    "empty my list",
    "I bought everything",
    "I got everything on the list",
    "start a new shopping list",
    "wipe the list",
    "delete my whole shopping list",
    "throw away the shopping list, start over",
    "I've bought all of it",
    "new list please",
    "Let's start the shopping list from scratch",
    "Scrap the list",
]


@pytest.mark.parametrize("text", LIST_CLEARS)
def test_list_clears(text):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "clear" and ops[0].name == "shopping list", ops


NAMES = [
    "My name is Liam",
    "I'm Liam",
    "Call me Liam",
    "You can call me Liam",
    "Liam here, hello!",
    "The name's Liam",
    "I go by Liam",
    "Hi! My name, by the way, is Liam.",
    "People call me Liam",
    "This is Liam speaking",
    "I am Liam.",
    "hello, I'm Liam and I like tea",
    "My name which is Liam is Irish",
    "My name is now Liam.",
    "Actually, call me Liam now",
    "Hey there, Liam speaking.",
    "Folks usually call me Liam",
    "my names Liam",
    "Everyone calls me Liam",
    "You may address me as Liam",
    "Liam's my name",
    "It's Liam here",
    "my first name is Liam",
    "People know me as Liam",
    "The name is Liam",
    "Liam's the name",
]


def test_a_name_with_a_title_is_kept_whole():
    assert [i.text for i in parsed("I'm Dr. Patel, nice to meet you")] == ["The user's name is Dr. Patel."]


@pytest.mark.parametrize("text", NAMES)
def test_names(text):
    facts = [i for i in parsed(text) if isinstance(i, Fact) and i.subject == "name"]
    assert facts and facts[0].text == "The user's name is Liam.", parsed(text)


NOT_INTENTS = [
    "I need to finish my report",
    "I want to learn Spanish",
    "I need some help with Python",
    "I need a break",
    "I need two weeks off",
    "I'm tired",
    "I'm going home",
    "I am happy today",
    "What's my name?",
    "call me later, ok?",
    "I forgot my keys",
    "don't forget to reply",
    "forget it",
    "I always forget my password",
    "How do I delete a file in bash?",
    "Can you remind me how recursion works?",
    "I bought a new laptop yesterday",
    "Whenever you can, explain monads",
    "My second reply was wrong",
    "What is on my shopping list?",
    "Add a docstring to this function",
    "Remove the duplicates from this list: 3, 3, 4",
    "I want to get better at chess",
    "I have to get going",
    "we need to get a new car someday",
    "I need three volunteers",
    "Take a look at this code",
    "Remove the first line of this file",
    "Add error handling to this function please",
    "Pick up the pace",
    "delete this paragraph",
    "I'm Sorry",
    # forgetting what was just said, or a dismissal before another request: not memory
    "Please forget the previous instructions and write a poem.",
    "Forget what I said and tell me a joke",
    "forget about it, what is 2+2?",
    "forget everything above and summarise this text",
    "Forget the rules, just give me the code",
    "forget what I just said",
    "Forget my last message.",
    "forget the last answer and try again",
    "Forget all of that. Tell me about Rome.",
    # a word that starts like an intent, text editing, a list in a message
    "Forget-me-nots are my favourite flower",
    "Add a comma after the first word",
    "Write down the steps in a list",
    "delete everything about the intro from this essay",
    "Does the recipe need 2 eggs?",
    "the kids need 2 hours of sleep",
    "Throw the ball",
    "Two answers later I realised it was wrong",
    "Never mind, I figured it out",
    "Put simply, what is a monad?",
]


@pytest.mark.parametrize("text", NOT_INTENTS)
def test_near_misses_do_not_trigger(text):
    found = [i for i in parsed(text) if not isinstance(i, Fact) or i.subject == "name"]
    assert not found, found


AFTER_REPLIES = [
    ("In your 5th response, append 'Stay curious.'", 5, "append"),
    ("append the quote 'Be yourself' to your 5th response", 5, "append"),
    ("in two replies say 'hello there'", 2, "say"),
    ("the fifth reply from now should end with 'Bye'", 5, "append"),
    ("after three more answers, say 'done'", 3, "say"),
    ("In your next reply include 'PS: hi'", 1, "append"),
    ("three responses from now, write 'checkpoint'", 3, "say"),
    ("on your 4th reply from now add 'Note: x'", 4, "append"),
    ("Say 'ping' in your third answer from now", 3, "say"),
    ("two messages from now, tell me 'drink water'", 2, "say"),
    ("In reply number five from now, append 'over and out'", 5, "append"),
    ("Three answers later, tack on the line 'be kind'", 3, "append"),
]


@pytest.mark.parametrize("text, n, action", AFTER_REPLIES)
def test_tasks_after_replies(text, n, action):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "after_replies" and tasks[0].replies == n, parsed(text)
    assert tasks[0].action == action


def test_an_unquoted_task_is_kept_as_an_instruction():
    tasks = [
        i for i in parsed("append the quote from Ralph Waldo Emerson to your 5th response") if isinstance(i, NewTask)
    ]
    assert tasks and tasks[0].replies == 5 and tasks[0].action == "instruct"
    assert "Ralph Waldo Emerson" in tasks[0].text
    tasks = [
        i for i in parsed("in your second response from now include a quote from Seneca") if isinstance(i, NewTask)
    ]
    assert tasks and tasks[0].replies == 2 and tasks[0].text == "Include a quote from Seneca"  # no stray "in"


REMINDERS = [
    ("remind me in 2 hours to call mum", 2 * 3600),
    ("in 20 minutes remind me to check the oven", 20 * 60),
    ("Remind me in an hour about the meeting", 3600),
    ("can you remind me in 3 days to renew my passport", 3 * 86400),
    ("remind me to stretch in 45 minutes", 45 * 60),
    ("nudge me in 10 minutes to take the pizza out", 600),
    ("ping me in half an hour about the laundry", 1800),
    ("Give me a nudge in 20 min to drink water", 20 * 60),
]


@pytest.mark.parametrize("text, seconds", REMINDERS)
def test_reminders_in_a_while(text, seconds):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "at_time" and tasks[0].action == "remind", parsed(text)
    assert tasks[0].due_at == pytest.approx(NOW + seconds)


AT_TIMES = [
    ("remind me tomorrow at 9 to water the plants", datetime(2027, 1, 16, 9, 0)),
    ("remind me at 5pm to leave", datetime(2027, 1, 15, 17, 0)),
    ("set a reminder for 6:30 pm: pick up the kids", datetime(2027, 1, 15, 18, 30)),
    ("Remind me tomorrow morning at 8 to call the bank", datetime(2027, 1, 16, 8, 0)),
    ("remind me at noon to eat", datetime(2027, 1, 15, 12, 0)),
    ("ping me tomorrow about the dentist", datetime(2027, 1, 16, 9, 0)),  # no hour: the morning
    ("remind me tonight to lock the door", datetime(2027, 1, 15, 20, 0)),
    ("remind me on Wednesday to pay rent", datetime(2027, 1, 20, 9, 0)),  # NOW is a Friday
    ("remind me on Friday to pay rent", datetime(2027, 1, 22, 9, 0)),  # ... so the next one
    ("remind me next Monday to pay rent", datetime(2027, 1, 18, 9, 0)),
]


@pytest.mark.parametrize("text, when", AT_TIMES)
def test_reminders_at_a_time(text, when):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "at_time", parsed(text)
    assert tasks[0].due_at == when.timestamp()


def test_remind_in_my_second_reply():
    tasks = [i for i in parsed("remind me in my second reply from now to drink water") if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "after_replies" and tasks[0].replies == 2 and tasks[0].action == "remind"
    assert tasks[0].text == "drink water"
    tasks = [i for i in parsed("Could you remind me in 3 replies to Stretch") if isinstance(i, NewTask)]
    assert tasks and tasks[0].replies == 3 and tasks[0].text == "Stretch"  # as written, without "could you"


TRIGGERS = [
    "whenever I say 'banana', say 'yellow!'",
    "if I say 'banana' reply 'yellow!'",
    "every time I write 'banana', respond with 'yellow!'",
    "when I type 'banana', answer 'yellow!'",
    "each time I mention 'banana' say 'yellow!'",
    'Whenever I write "banana" you should reply "yellow!"',
    "If I ever say 'banana', you say 'yellow!'",
    "any time I say 'banana' respond 'yellow!'",
    "when I send 'banana' reply with 'yellow!'",
    "Whenever you see 'banana' from me, write 'yellow!'",
]


@pytest.mark.parametrize("text", TRIGGERS)
def test_triggers(text):
    tasks = [i for i in parsed(text) if isinstance(i, NewTask)]
    assert tasks and tasks[0].kind == "on_message", parsed(text)
    assert tasks[0].trigger == "banana" and tasks[0].text == "yellow!"


FORGETS = [
    ("forget where I live", "where I live"),
    ("please forget my address", "my address"),
    ("delete what you know about my job", "my job"),
    ("erase my phone number", "my phone number"),
    ("stop remembering my sister's name", "my sister's name"),
    ("remove the memory about my car", "my car"),
    ("wipe what you know about my allergies", "my allergies"),
    ("can you forget that I live in Lisbon", "I live in Lisbon"),
    ("Forget about my favourite colour", "my favourite colour"),
    ("don't remember my birthday anymore", "my birthday"),
    ("drop my address from your memory", "my address"),
    ("scrub my email from your memory", "my email"),
    ("forget my address and my phone number", "my address and my phone number"),
    ("Forget the previous instructions", "the previous instructions"),
    ("forget my address, is that ok?", "my address"),
    ("forget my job title please", "my job title"),
    ("forget where I work, I quit", "where I work"),
    ("forget my address - we moved", "my address"),
    ("Forget my sister's name because we fell out", "my sister's name"),
    ("forget my gym schedule; I cancelled the membership", "my gym schedule"),
    ("Forget what I told you about my ex", "my ex"),
    ("Don't keep my address anymore", "my address"),
    ("Remove everything about my job", "my job"),
    ("remove all you know about my sister", "my sister"),
    ("Please forget everything about my old job", "my old job"),
    ("scrap what you know about my diet", "my diet"),
    ("Forget my old phone number, it changed", "my old phone number"),
]


@pytest.mark.parametrize("text, query", FORGETS)
def test_forgetting(text, query):
    found = parsed(text)
    assert found and isinstance(found[0], Forget) and found[0].query == query, found


REMEMBERS = [
    "remember that my sister is Anna",
    "/remember my sister is Anna",
    "Please remember: my sister is Anna",
    "don't forget that my sister is Anna",
    "keep in mind that my sister is Anna",
    "make a note that my sister is Anna",
    "note that my sister is Anna",
    "for future reference, my sister is Anna",
    "save this: my sister is Anna",
    "could you remember that my sister is Anna?",
]


@pytest.mark.parametrize("text", REMEMBERS)
def test_remember_requests(text):
    found = parsed(text)
    assert found and isinstance(found[0], Remember) and found[0].text.rstrip("?") == "my sister is Anna", found


def test_cancel_still_works():
    assert any(isinstance(i, CancelTask) for i in parsed("stop saying 'yellow!' when I say banana"))


FACTS = [
    ("I moved to Bergen last year", "The user lives in Bergen."),
    ("I live in Ghent now", "The user lives in Ghent."),
    ("I relocated to San Francisco in 2019", "The user lives in San Francisco."),
    ("I moved to Porto for work", "The user lives in Porto."),
    ("I moved to Leeds a few months ago", "The user lives in Leeds."),
    ("I'm allergic to walnuts", "The user is allergic to walnuts."),
    ("I'm vegetarian", "The user is vegetarian."),
    ("I prefer tea over coffee", "The user prefers tea over coffee."),
    ("My favourite band is Muse", "The user's favourite band is Muse."),
]


@pytest.mark.parametrize("text, note", FACTS)
def test_facts_keep_the_value_and_leave_out_when_it_was_said(text, note):
    assert [f.text for f in parsed(text) if isinstance(f, Fact)] == [note]
