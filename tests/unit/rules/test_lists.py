"""Lists: add, remove, clear (mnemo/memory/rules/lists.py)."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import ListOp
from tests.unit.rules import acted_on, parsed

LIST_ADDS = [
    ("add-need-some", "I require 2 Leek", "leek", 2),
    ("add-want-to-buy", "I want to buy 2 Soap", "soap", 2),
    ("add-want-to-buy+want-i-need-to", "I need to buy 3 apples", "apple", 3),
    ("add-want-to-get-some", "We need to get some bread", "bread", 1),
    ("add", "Add 4 bananas to my shopping list", "banana", 4),
    ("add-put-on-the-list", "put milk on the shopping list", "milk", 1),
    ("add", "Could you add a dozen eggs to the list?", "egg", 12),
    ("add", "Please add coffee to my groceries list", "coffee", 1),
    ("add-want-to-get-some", "I have to pick up 2 lemons", "lemon", 2),
    ("remember-asked+add-want-to-buy", "Note that I need to purchase 5 candles", "candle", 5),
    ("add-want-to-buy", "I should buy toothpaste", "toothpaste", 1),
    ("add-out-of", "We're out of butter, I need to buy some", "butter", 1),
    ("add-want-to-buy+want-dont-let-me-forget", "Don't let me forget to buy 6 onions", "onion", 6),
    ("add-want-to-buy", "I'd like to buy 2 Mangoes", "mango", 2),
    ("add-want-to-buy+want-gotta", "gotta buy cat food", "cat food", 1),
    ("add", "Pls add oat milk", "oat milk", 1),
    ("add-want-to-get-some", "We need to get some bread", "bread", 1),
    ("add-need-some", "I need 2 kg of flour", "flour", 2),
    ("add-put-on-the-list", "Can you stick 3 avocados on my list?", "avocado", 3),
    ("add-put-on-the-list", "Throw some garlic on the shopping list", "garlic", 1),
    ("add-need-some", "I'm going to need 4 tins of tomatoes", "tomato", 4),
    ("add-need-some", "Need 2 packs of rice", "rice", 2),
    ("add-need-some", "I'd need 3 yoghurts", "yoghurt", 3),
    ("add-low-on", "We're running low on coffee beans", "coffee bean", 1),
    ("add-heading", "Shopping: 3 peppers", "pepper", 3),
    ("remember-for-the-shop", "Could you note down 5 limes for the shop?", "lime", 5),
    ("remember-to-buy", "Remember to buy 2 baguettes", "baguette", 2),
    ("remember-asked+add-put-on-the-list", "jot down 2 leeks on my list", "leek", 2),
    ("add-want-to-buy+want-need-to", "Need to buy 2 limes", "lime", 2),
]


@pytest.mark.parametrize("label, text, item, quantity", LIST_ADDS)
def test_list_additions(label, text, item, quantity):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "add", ops
    assert ops[0].item.lower().rstrip("s").rstrip("e").startswith(item.rstrip("e")[:4]), ops
    assert ops[0].quantity == quantity


LIST_REMOVALS = [
    ("remove-from-the-list", "remove milk from my shopping list"),
    ("remove-from-the-list", "take the eggs off the list"),
    ("remove", "cross off bread"),
    ("remove-bought-the", "I bought the milk"),
    ("remove-bought-the", "I already got the eggs"),
    ("remove-bought-the", "I picked up the bread today"),
    ("remove-no-need", "no need for soap anymore"),
    ("remove-no-need", "I don't need leeks anymore"),
    ("remove-from-the-list", "scratch the bananas from my list"),
    ("remove-from-the-list", "delete coffee from the shopping list"),
    ("remove-bought-the", "got the tomatoes"),
    ("remove-have-enough", "Already have the garlic"),
    ("remove-have-enough", "We have enough coffee beans now"),
    ("remove-have-enough", "Never mind the watermelon"),
    ("remove", "Strike the limes"),
    ("remove-take-off", "take the milk off"),
]


@pytest.mark.parametrize("label, text", LIST_REMOVALS)
def test_list_removals(label, text):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "remove", ops


LIST_CLEARS = [
    ("clear-the-list", "clear my shopping list"),
    ("clear-the-list", "reset the shopping list"),
    ("clear-the-list", "empty my list"),
    ("clear-bought-everything", "I bought everything"),
    ("clear-bought-everything", "I got everything on the list"),
    ("clear-start-a-new-list", "start a new shopping list"),
    ("clear-the-list", "wipe the list"),
    ("clear-the-list", "delete my whole shopping list"),
    ("clear-the-list", "throw away the shopping list, start over"),
    ("clear-bought-everything", "I've bought all of it"),
    ("clear-new-list", "new list please"),
    ("clear-start-over", "Let's start the shopping list from scratch"),
    ("clear-the-list", "Scrap the list"),
]


@pytest.mark.parametrize("label, text", LIST_CLEARS)
def test_list_clears(label, text):
    ops = [i for i in parsed(text) if isinstance(i, ListOp)]
    assert ops and ops[0].op == "clear" and ops[0].name == "shopping list", ops


LIST_OPERATIONS = [
    ("add", "add 2 milk", [ListOp("shopping list", "add", "milk", 2)]),
    (
        "add",
        "Add 3 eggs, 2 onions and a cucumber to my shopping list.",
        [
            ListOp("shopping list", "add", "eggs", 3),
            ListOp("shopping list", "add", "onions", 2),
            ListOp("shopping list", "add", "cucumber", 1),
        ],
    ),
    ("add", "Please add a loaf of bread to the shopping list", [ListOp("shopping list", "add", "bread", 1)]),
    # no list named: silent if absent
    ("remove", "remove 1 milk", [ListOp("shopping list", "remove", "milk", 1, implied=True)]),
    (
        "remove-from-the-list",
        "Remove the eggs from my shopping list",
        [ListOp("shopping list", "remove", "eggs", None)],
    ),
    ("add", "Add 2 books to my reading list", [ListOp("reading list", "add", "books", 2)]),
    (
        "clear-bought-everything+clear-the-list",
        "I bought everything, clear the list",
        [ListOp("shopping list", "clear")],
    ),
    ("add", "add it to my calendar", []),
]


@pytest.mark.parametrize("label, text, ops", LIST_OPERATIONS)
def test_list_operations(label, text, ops):
    assert rules.list_ops(text) == ops


# The item first, the request after it: the item (and its count) from the first clause.
ITEM_THEN_ASK = [
    (
        "add-item-then-ask+add-need-some",
        "I need 4 onions, could you pop them on the list?",
        [ListOp("shopping list", "add", "onions", 4)],
    ),
    ("add-item-then-ask", "2 lemons, can you add those to my list?", [ListOp("shopping list", "add", "lemons", 2)]),
    (
        "add-item-then-ask+add-out-of+trailing-please",
        "We're out of eggs, stick them on the shopping list please",
        [ListOp("shopping list", "add", "eggs", 1)],
    ),
    ("add-item-then-ask", "Oat milk - add it to my groceries list", [ListOp("groceries list", "add", "oat milk", 1)]),
    (
        "add-item-then-ask+fetch-grab+trailing-for-me",
        "Grab some bread for me, put it on my shopping list",
        [ListOp("shopping list", "add", "bread", 1)],
    ),
    ("add-item-then-ask+fetch-get", "Get 3 limes, add them to the list", [ListOp("shopping list", "add", "limes", 3)]),
    (
        "add-item-then-ask+fetch-buy",
        "Buy some oat milk - add it to my list",
        [ListOp("shopping list", "add", "oat milk", 1)],
    ),
    (
        "add-item-then-ask+fetch-pick-up",
        "Pick up a dozen eggs, add them to the shopping list",
        [ListOp("shopping list", "add", "eggs", 12)],
    ),
    ("add-item-then-ask", "Bananas. Put them on my list", [ListOp("shopping list", "add", "bananas", 1)]),
    (
        "add-item-then-ask+add-low-on",
        "We're low on coffee so add it to the shopping list",
        [ListOp("shopping list", "add", "coffee", 1)],
    ),
    (
        "add-item-then-ask+add-need-some+trailing-please",
        "I need 3 lemons. Can you add them to my shopping list please?",
        [ListOp("shopping list", "add", "lemons", 3)],
    ),
    (
        "add-item-then-ask+add-want-to-buy",
        "I have to buy cat food, jot it down on my list",
        [ListOp("shopping list", "add", "cat food", 1)],
    ),
    (
        "add-item-then-ask",
        "bread and 6 eggs: put them on the list",
        [ListOp("shopping list", "add", "bread", 1), ListOp("shopping list", "add", "eggs", 6)],
    ),
    (
        "add-item-then-ask+trailing-too",
        "Some bananas too, add them to my list",
        [ListOp("shopping list", "add", "bananas", 1)],
    ),
    # the same for a removal: asked for, so not silent when the list does not hold it
    (
        "remove-item-then-ask+remove-bought-the",
        "Got the eggs, cross them off the list",
        [ListOp("shopping list", "remove", "eggs", None)],
    ),
    (
        "remove-item-then-ask+remove-have-enough",
        "I already have garlic, take it off my list",
        [ListOp("shopping list", "remove", "garlic", None)],
    ),
    (
        "remove-item-then-ask",
        "The milk - remove it from my shopping list",
        [ListOp("shopping list", "remove", "milk", None)],
    ),
    (
        "remove-item-then-ask+remove-no-need+trailing-please",
        "No need for soap anymore, scratch it from the list please",
        [ListOp("shopping list", "remove", "soap", None)],
    ),
    (
        "remove-item-then-ask+remove-bought-the",
        "We bought the bread, so take it off the list",
        [ListOp("shopping list", "remove", "bread", None)],
    ),
]


@pytest.mark.parametrize("label, text, ops", ITEM_THEN_ASK)
def test_the_item_first_and_the_request_after_it(label, text, ops):
    assert parsed(text) == ops


# Words after the item that are not part of it: the item is stored by its name, so
# "remove milk" finds what "add milk too" added.
TRAILING_WORDS = [
    ("add+trailing-too", "add milk too", ListOp("shopping list", "add", "milk", 1)),
    ("add+trailing-as-well", "add eggs to my list as well", ListOp("shopping list", "add", "eggs", 1)),
    (
        "add-put-on-the-list+trailing-as-well",
        "put bread on the shopping list as well",
        ListOp("shopping list", "add", "bread", 1),
    ),
    ("add+trailing-for-me", "please add 2 onions for me", ListOp("shopping list", "add", "onions", 2)),
    ("add+trailing-as-well+trailing-please", "add butter as well please", ListOp("shopping list", "add", "butter", 1)),
    ("add-want-to-buy+trailing-also", "I need to buy milk also", ListOp("shopping list", "add", "milk", 1)),
    ("add+trailing-thanks", "Add cheese to the shopping list, thanks!", ListOp("shopping list", "add", "cheese", 1)),
    ("add+trailing-too", "Could you add some apples too?", ListOp("shopping list", "add", "apples", 1)),
    ("add-need-some+trailing-as-well", "We need 2 cucumbers as well", ListOp("shopping list", "add", "cucumbers", 2)),
    (
        "remove-from-the-list+trailing-please",
        "remove the milk from my list please",
        ListOp("shopping list", "remove", "milk", None),
    ),
]


@pytest.mark.parametrize("label, text, op", TRAILING_WORDS)
def test_trailing_words_are_not_part_of_the_item(label, text, op):
    assert parsed(text) == [op]


NOT_LISTS = [
    ("want-i-need-to", "I need to finish my report"),
    ("want-i-need-to", "I want to learn Spanish"),
    ("add-need-some", "I need some help with Python"),
    ("add-need-some", "I need a break"),
    ("add-need-some", "I need two weeks off"),
    ("remove", "How do I delete a file in bash?"),
    ("remove-bought-the", "I bought a new laptop yesterday"),
    ("add", "Add a docstring to this function"),
    ("remove-from-the-list", "Remove the duplicates from this list: 3, 3, 4"),
    ("add-want-to-get-some", "I want to get better at chess"),
    ("add-want-to-get-some", "I have to get going"),
    ("add-want-to-get-some", "we need to get a new car someday"),
    ("add-need-some", "I need three volunteers"),
    ("remove-take-off", "Take a look at this code"),
    ("remove", "Remove the first line of this file"),
    ("add", "Add error handling to this function please"),
    ("add-want-to-get-some", "Pick up the pace"),
    ("remove", "delete this paragraph"),
    ("add", "Add a comma after the first word"),
    ("add-put-on-the-list", "Write down the steps in a list"),
    ("add-need-some", "Does the recipe need 2 eggs?"),
    ("add-need-some", "the kids need 2 hours of sleep"),
    ("add-put-on-the-list", "Throw the ball"),
    ("remove-have-enough", "Never mind, I figured it out"),
    ("add-put-on-the-list", "Put simply, what is a monad?"),
    ("add-item-then-ask", "Here is my code, add it to my list"),
    ("add-item-then-ask", "Got no bread left, add it to the list"),
    ("add-item-then-ask", "This function is slow, can you add it to the list of things to fix?"),
    ("trailing-too", "Add a test for this too"),
]


@pytest.mark.parametrize("label, text", NOT_LISTS)
def test_near_misses_do_not_trigger(label, text):
    found = acted_on(text)
    assert not found, found
