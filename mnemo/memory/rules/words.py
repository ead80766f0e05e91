"""The vocabulary of the rules, spelt once: number words, politeness, time units, days and
months, titles. Readers (and ``memory.recall``) pick the words they accept from here;
``one_of`` makes a pattern of them (for a pattern compiled with ``re.VERBOSE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# ----------------------------------------------------------------------- numbers

CARDINALS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
ORDINALS = {
    "next": 1,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}


def cardinals(first: int = 1, last: int = 10) -> list[str]:
    """The cardinal words from ``first`` to ``last``: cardinals(2, 4) == ["two", "three", "four"]."""
    return [word for word, n in CARDINALS.items() if first <= n <= last]


ARTICLES = {"a": 1, "an": 1}
# Counts of more than one word, tried before "a": "a dozen eggs", "a couple of lemons".
COUNTS = {"a dozen": 12, "a couple of": 2, "a few": 3, "dozen": 12}
# What a count word means (1 to 10, "a", "some", "a couple of"): quantities, replies, amounts.
NUMBERS = {**ARTICLES, **{w: CARDINALS[w] for w in cardinals(1, 10)}, "some": 1, "a couple of": COUNTS["a couple of"]}
AMOUNTS = {"fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45, "ninety": 90}  # "in forty-five minutes"
DIGITS = r"\d+"
ARTICLE = r"an?"  # "a" or "an"
HALF = r"half\ an?"  # "half an hour"

# ----------------------------------------------------------------------- time

TIME_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")
SECONDS = {"second": 1, "minute": 60, "min": 60, "hour": 3600, "day": 86400, "week": 604800}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
PERIODS = ("year", "month", "week", "summer", "winter", "spring", "autumn", "fall", "weekend")

# ----------------------------------------------------------------------- politeness

PLEASE = ("please", "pls", "plz")
ASKING = ("could you", "can you", "would you")  # a request put as a question
KINDLY = "kindly"
THANKS = ("thanks", "thank you")

# ----------------------------------------------------------------------- people and pets

# Who or what of the user's may be given a name: "my brother goes by Sam", "our dog, Rex".
RELATIVES = (
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "brother",
    "sister",
    "son",
    "daughter",
    "wife",
    "husband",
    "partner",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancé",
    "fiancee",
    "fiancée",
    "friend",
    "best friend",
    "cousin",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "grandma",
    "grandmother",
    "grandpa",
    "grandfather",
    "grandson",
    "granddaughter",
    "baby",
    "kid",
    "child",
    "stepson",
    "stepdaughter",
    "boss",
    "manager",
    "colleague",
    "flatmate",
    "roommate",
    "neighbour",
    "neighbor",
    *("ex", "ex-wife", "ex-husband", "ex-boyfriend", "ex-girlfriend", "ex-partner"),
    *("stepmum", "stepmom", "stepdad", "stepmother", "stepfather", "teacher", "therapist", "landlord", "mate"),
)
PETS = (
    "dog",
    "puppy",
    "cat",
    "kitten",
    "rabbit",
    "bunny",
    "hamster",
    "guinea pig",
    "parrot",
    "budgie",
    "goldfish",
    "fish",
    "horse",
    "pony",
    "tortoise",
    "turtle",
    "snake",
    "lizard",
    "ferret",
)
# Younger, older, little: said before who it is ("my little sister", "our new puppy").
KIN_ADJECTIVES = ("little", "baby", "younger", "older", "big", "elder", "new", "eldest", "youngest", "twin")

# ----------------------------------------------------------------------- colours

# What "teal is my favourite now" is a favourite of, said without the word "colour".
COLOURS = (
    *("red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "brown", "black", "white", "grey"),
    *("gray", "teal", "turquoise", "cyan", "magenta", "maroon", "navy", "indigo", "lilac", "lavender", "beige"),
    *("gold", "silver", "crimson", "scarlet", "emerald", "amber", "coral", "mint", "olive", "burgundy", "cream"),
    *("mauve", "aqua", "peach", "ochre", "khaki", "ivory", "lime", "salmon", "rust", "plum", "azure", "cobalt"),
)

# ----------------------------------------------------------------------- names

TITLES = ("Dr", "Mr", "Mrs", "Ms", "Prof")

# Words that are never a name, whatever their capital: what a name slot ("I'm X", "this is
# X", "call me X") catches when the sentence goes on another way ("I'm You know", "This is
# Why I ask", "Call me Maybe"). names.NOT_A_NAME reads them, a class each.
PRONOUNS = (
    *("i", "me", "you", "he", "him", "she", "her", "we", "us", "they", "them", "it", "one"),
    *("myself", "yourself", "himself", "herself", "ourselves", "themselves", "mine", "yours", "ours", "theirs"),
    *("everyone", "everybody", "someone", "somebody", "anyone", "anybody", "nobody", "noone", "nothing"),
    *("something", "anything", "everything"),
)
FUNCTION_WORDS = (
    *("my", "your", "our", "his", "their", "its", "this", "that", "these", "those", "the", "a", "an"),
    *("some", "any", "no", "every", "each", "all", "both", "either", "neither", "such", "other", "another"),
    *("why", "how", "where", "when", "what", "which", "who", "whom", "whose", "whatever", "whoever"),
    *("and", "but", "or", "nor", "if", "so", "then", "than", "because", "although", "though", "while"),
    *("unless", "until", "since", "as", "like", "just", "only", "also", "even", "still", "too", "very"),
    *("not", "never", "always", "here", "there", "now", "today", "tonight", "tomorrow", "yesterday"),
    *("in", "on", "at", "to", "from", "of", "for", "with", "by", "about", "into", "over", "out", "up"),
    *("yes", "yeah", "yep", "yup", "nope", "nah", "maybe", "perhaps", "ok", "okay", "well", "oh", "hmm"),
    *("um", "uh", "hey", "hi", "hello", "thanks", "thank", "please", "sorry", "sure", "fine", "good"),
    *("gonna", "wanna", "gotta", "kinda", "sorta", "lemme", "dunno"),
    *("is", "am", "are", "was", "were", "be", "been", "do", "does", "did", "have", "has", "had", "can"),
    *("will", "would", "should", "could", "must", "may", "might", "shall", "let", "lets"),
)
# What "I'm X" says that is not a name: where from, what faith, how one is.
DEMONYMS = (
    *("english", "british", "irish", "scottish", "welsh", "american", "canadian", "australian", "french"),
    *("german", "dutch", "belgian", "spanish", "portuguese", "italian", "swiss", "austrian", "polish"),
    *("danish", "swedish", "norwegian", "finnish", "russian", "ukrainian", "greek", "turkish", "chinese"),
    *("japanese", "korean", "indian", "pakistani", "mexican", "brazilian", "argentinian", "african"),
    *("european", "asian", "catholic", "protestant", "christian", "jewish", "muslim", "hindu", "buddhist"),
    *("atheist", "agnostic", "vegan", "vegetarian"),
)
FEELINGS = (
    *("excited", "curious", "unsure", "confused", "bored", "stuck", "lost", "new", "great", "awesome"),
    *("important", "hard", "easy", "interesting", "amazing", "terrible", "awful", "nervous", "worried"),
    *("stressed", "upset", "angry", "sad", "exhausted", "hungry", "thirsty", "sick", "ill", "alone"),
    *("available", "free", "ready", "right", "wrong", "correct", "serious", "honest", "certain"),
)


def plurals(words: Iterable[str]) -> str:
    """``days?|weeks?``: each word, with or without an s."""
    return "|".join(f"{re.escape(w)}s?" for w in words)


def one_of(words: Iterable[str]) -> str:
    """``(?:a|b\\ c)``: the words as literal alternatives, in order, for ``re.VERBOSE``."""
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"
