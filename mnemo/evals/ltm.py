"""The long-term-memory benchmark's tests, modelled on GoodAI's LTM Benchmark and written
here: each test type makes examples from a seed. An example is a few messages (the
needles), later a question or several, a score for the replies, and the words whose
presence among the memories injected for a question shows that memory did its part.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from mnemo.evals import scoring

COLOURS = ["red", "blue", "green", "yellow", "purple", "orange", "teal", "crimson", "indigo", "amber"]
ITEMS = ["apples", "bananas", "eggs", "carrots", "lemons", "onions", "potatoes", "tomatoes", "oranges", "pears"]
NAMES = ["Ann", "Bea", "Cyril", "Dora", "Elmer", "Fiona", "Gus", "Hilda", "Ivo", "Juno", "Kit", "Lena"]
QUOTES = [
    "Fortune favours the bold",
    "Knowledge is power",
    "Time is money",
    "Less is more",
    "Actions speak louder than words",
    "Practice makes perfect",
]
TRIGGERS = [
    ("Achooo!", "Here is a tissue for you."),
    ("Knock knock.", "Who is there?"),
    ("Good night.", "Sleep well and sweet dreams."),
    ("Eureka!", "What did you find?"),
]
PLACES = ["harbour", "museum", "station", "bakery", "lighthouse", "library"]
TIMES = ["midnight", "noon", "dawn", "sunset"]
THINGS = ["camera", "map", "umbrella", "violin", "key", "lantern"]
JOKES = [
    ("Why did the scarecrow win an award? Because he was outstanding in his field.", "scarecrow"),
    ("I told my wife she was drawing her eyebrows too high. She looked surprised.", "eyebrows"),
    ("Why don't skeletons fight each other? They don't have the guts.", "skeletons"),
    ("I'm reading a book about anti-gravity. It's impossible to put down.", "anti-gravity"),
    ("Why did the bicycle fall over? Because it was two tired.", "bicycle"),
    ("What do you call a fake noodle? An impasta.", "noodle"),
]
FACTS = [
    ("the name of my first pet", "Biscuit"),
    ("the town I grew up in", "Tavira"),
    ("my locker number", "4417"),
    ("my favourite author", "Ursula Le Guin"),
    ("my bike's name", "Rocinante"),
    ("the colour of my front door", "mustard yellow"),
]


@dataclass
class Turn:
    """A message the benchmark sends. ``minutes`` moves the clock first; ``asks`` marks a
    message whose reply is scored; ``conversation`` is "main" or "other"."""

    text: str
    asks: bool = False
    minutes: float = 0.0
    conversation: str = "main"
    consecutive: int = 0  # this many of the example's next turns follow it with no distraction between


@dataclass
class Example:
    type: str
    index: int
    turns: list[Turn]
    score: Callable[[list[str]], float]  # the replies to the turns with ``asks``, in order
    evidence: list[str] = field(default_factory=list)  # words that, injected, answer the question
    needed_at: int | None = None  # the only question (0-based) that needs the evidence; None: every one
    reset: list[Turn] = field(default_factory=list)  # sent after the example, so forgetting is tested too

    @property
    def name(self) -> str:
        return f"{self.type}-{self.index}"


def colours(rng: random.Random, i: int) -> Example:
    values = rng.sample(COLOURS, 3)
    turns = [Turn(f"My favourite colour is {values[0]}.")]
    turns += [Turn(f"My favourite colour is now {v}.") for v in values[1:]]
    turns.append(Turn("What is my favourite colour? Answer with the colour only.", asks=True))
    return Example(
        "colours", i, turns, lambda r: scoring.latest_value(r[0], values[-1], values[:-1]), evidence=[values[-1]]
    )


def shopping(rng: random.Random, i: int) -> Example:
    items = rng.sample(ITEMS, 3)
    counts = {item: rng.randint(2, 5) for item in items}
    turns = [Turn(f"Please add {counts[item]} {item} to my shopping list.") for item in items]
    gone = items[0]
    removed = rng.randint(1, counts[gone] - 1)
    counts[gone] -= removed
    turns.append(Turn(f"Remove {removed} {gone} from my shopping list."))
    turns.append(
        Turn(
            'What is on my shopping list? Answer only with a JSON list of objects with the keys "item" and "quantity".',
            asks=True,
        )
    )
    return Example(
        "shopping",
        i,
        turns,
        lambda r: scoring.shopping(r[0], counts),
        evidence=[f"{n} {item}" for item, n in counts.items()],
        reset=[Turn("I have bought all of the items on my shopping list, so clear it.")],
    )


def name_list(rng: random.Random, i: int) -> Example:
    names = rng.sample(NAMES, 3)
    turns = [Turn(f"My name is {names[0]}.")] + [Turn(f"Call me {n} from now on. My name is {n}.") for n in names[1:]]
    turns.append(
        Turn("What are all the names I have had, oldest first? Answer only with a JSON list of names.", asks=True)
    )
    return Example(
        "name_list",
        i,
        turns,
        lambda r: scoring.name_list(r[0], names),
        evidence=names,
        reset=[Turn("Forget all of the names I have told you.")],
    )


def prospective(rng: random.Random, i: int) -> Example:
    quote, n = rng.choice(QUOTES), rng.choice([2, 3])
    ordinal = {2: "second", 3: "third"}[n]
    request = Turn(
        f"In your {ordinal} reply from now on, append this quote to the end of the reply: '{quote}'", consecutive=n
    )
    later = [Turn(f"Tell me a short fact about the number {rng.randint(2, 99)}.", asks=True) for _ in range(n + 1)]
    return Example(
        "prospective",
        i,
        [request, *later],
        lambda r: scoring.prospective(r, n, quote),
        evidence=[quote],
        needed_at=n - 1,
    )


def trigger(rng: random.Random, i: int) -> Example:
    said, answer = rng.choice(TRIGGERS)
    turns = [Turn(f"Whenever I say '{said}' answer with '{answer}'")]
    turns += [Turn(said, asks=True) for _ in range(3)]
    return Example(
        "trigger",
        i,
        turns,
        lambda r: scoring.trigger(r, answer),
        evidence=[answer],
        reset=[Turn(f"Stop answering '{answer}' when I say '{said}'.")],
    )


def spy_meeting(rng: random.Random, i: int) -> Example:
    place, time_, thing = rng.choice(PLACES), rng.choice(TIMES), rng.choice(THINGS)
    people = rng.sample(NAMES, 3)
    turns = [
        Turn(f"A message from {people[0]}: 'We meet at the old {place}.'"),
        Turn(f"A message from {people[1]}: 'Come at {time_}.'"),
        Turn(f"A message from {people[2]}: 'Bring the {thing}.'"),
        Turn(
            "Taking the three messages I was given together: where, when and with what am I meeting them? "
            "Answer in one sentence.",
            asks=True,
        ),
    ]
    wrong = [p for p in PLACES if p != place] + [t for t in TIMES if t != time_] + [t for t in THINGS if t != thing]
    return Example(
        "spy_meeting",
        i,
        turns,
        lambda r: scoring.keywords(r[0], [place, time_, thing], wrong),
        evidence=[place, time_, thing],
    )


def jokes(rng: random.Random, i: int) -> Example:
    told = rng.sample(JOKES, 3)
    gaps = [rng.randint(30, 240) for _ in told]
    turns = [Turn(f"Here is a joke: {joke}", minutes=gap) for (joke, _), gap in zip(told, gaps)]
    pick = rng.randrange(len(told))
    ago = sum(gaps[pick + 1 :]) + 5  # the question comes five minutes after the last joke
    turns.append(
        Turn(f"Which joke did I tell you about {ago // 60} hours {ago % 60} minutes ago?", asks=True, minutes=5)
    )
    key = told[pick][1]
    return Example("jokes", i, turns, lambda r: scoring.contains(r[0], key), evidence=[key])


def key_value(rng: random.Random, i: int) -> Example:
    keys = {f"K{rng.randint(100, 999)}": str(rng.randint(1000, 9999)) for _ in range(5)}
    turns = [Turn(f"Remember that key {k} has the value {v}.") for k, v in keys.items()]
    asked = rng.choice(list(keys))
    turns.append(Turn(f"What is the value of key {asked}? Answer with the number only.", asks=True))
    return Example("key_value", i, turns, lambda r: scoring.contains(r[0], keys[asked]), evidence=[keys[asked]])


def cross_conversation(rng: random.Random, i: int) -> Example:
    what, value = rng.choice(FACTS)
    turns = [
        Turn(f"For the record, {what} is {value}."),
        Turn(f"What is {what}? Answer briefly.", asks=True, conversation="other"),
    ]
    return Example("cross_conversation", i, turns, lambda r: scoring.contains(r[0], value), evidence=[value])


TYPES: dict[str, Callable[[random.Random, int], Example]] = {
    "colours": colours,
    "shopping": shopping,
    "name_list": name_list,
    "prospective": prospective,
    "trigger": trigger,
    "spy_meeting": spy_meeting,
    "jokes": jokes,
    "key_value": key_value,
    "cross_conversation": cross_conversation,
}


def examples(seed: int, types: list[str], per_type: int) -> list[Example]:
    rng = random.Random(seed)
    return [TYPES[t](rng, i) for t in types for i in range(per_type)]
