"""The conversations of `mnemo eval recall`, generated from a seed.

Each conversation is a run of dated sessions between the user and the assistant. Among
small talk (drawn from many topics, some sharing the questions' words on purpose), the
user mentions things about their life the way people do: in passing, in other words
than the question will use. Questions come in six types:

- single: one turn holds the answer ("we named the pup Biscuit" / "what is my dog called?")
- multi: two turns hold it together (a sister's new city, then a trip to see her)
- temporal: when something happened (the turn that tells of it, in its dated session)
- preference: what the user likes, said as a liking, asked as a choice
- update: a value said twice; the later turn is the evidence
- unrelated: a request nothing remembered is about; recall must inject nothing

None of the phrasings are those of mnemo's rules (no "my X is Y", "remember that").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DAY = 86400.0
START = 1_790_000_000.0  # 2026-09-21, the first session of every conversation


@dataclass
class Turn:
    user: str
    assistant: str


@dataclass
class Session:
    at: float  # when it took place
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Question:
    kind: str
    text: str
    evidence: list[tuple[int, int]]  # (session, turn) of the user turns that hold the answer


@dataclass
class Conversation:
    sessions: list[Session]
    questions: list[Question]


# Each story: slots, the turns that tell it (in order, each in a later session than the
# one before), and the questions about it. {a}, {b}: slot values.
PETS = ["Biscuit", "Pepper", "Mochi", "Juniper", "Waffles", "Ziggy", "Olive", "Nacho"]
BREEDS = ["beagle", "corgi", "labrador", "dachshund", "whippet", "border collie"]
CITIES = ["Lisbon", "Tallinn", "Montreal", "Osaka", "Valencia", "Edinburgh", "Porto", "Wellington"]
NAMES = ["Hannah", "Marta", "Sofia", "Ingrid", "Priya", "Chloe", "Noor", "Greta"]
EMPLOYERS = [
    "a solar panel startup",
    "the city library",
    "a logistics firm",
    "a children's hospital",
    "a video game studio",
    "an architecture practice",
    "a brewery",
    "a shipping company",
]
INSTRUMENTS = ["cello", "ukulele", "bass guitar", "clarinet", "piano", "drums"]
DISHES = ["pho", "ramen", "shakshuka", "pad thai", "paella", "butter chicken", "pierogi", "tacos al pastor"]
SPORTS = ["bouldering", "rowing", "fencing", "trail running", "table tennis", "kayaking"]
BOOKS = ["Dune", "Middlemarch", "The Left Hand of Darkness", "Piranesi", "Beloved", "Stoner"]
ALLERGENS = ["peanuts", "shellfish", "sesame", "kiwi", "penicillin", "cat dander"]
CARS = ["a green Skoda estate", "a red Mini", "an old Volvo wagon", "a white Prius", "a blue Fiat Panda"]
RACES = ["half marathon", "10k charity run", "sprint triathlon", "cycling sportive", "open-water swim"]
TRIPS = ["Iceland", "Morocco", "the Dolomites", "Vietnam", "Patagonia", "the Scottish Highlands"]
COURSES = ["Portuguese", "pottery", "Japanese", "woodworking", "sign language", "Italian"]
PLANTS = ["a fiddle-leaf fig", "a monstera", "a lemon tree", "a bonsai juniper", "an orchid"]

STORIES: list[dict] = [
    {
        "kind": "single",
        "slots": (PETS, BREEDS),
        "tell": ["We finally brought home a {b} puppy on Saturday, the kids picked the name {a}."],
        "ask": ["What is my dog called?", "Remind me what name we gave the new pet?", "What's the pup's name again?"],
    },
    {
        "kind": "single",
        "slots": (INSTRUMENTS, NAMES),
        "tell": ["Started lessons on the {a} with a teacher called {b}, my fingers are so sore."],
        "ask": ["Which instrument am I learning to play?", "What am I taking music lessons for?"],
    },
    {
        "kind": "single",
        "slots": (ALLERGENS, NAMES),
        "tell": ["Ugh, the doctor confirmed I react badly to {a}, so no more of that for me."],
        "ask": ["Is there anything I'm allergic to?", "What should I avoid for medical reasons?"],
    },
    {
        "kind": "single",
        "slots": (CARS, CITIES),
        "tell": ["Traded in the old hatchback and drove home {a} yesterday, smells brand new."],
        "ask": ["What vehicle do I own now?", "What kind of automobile did I get?"],
    },
    {
        "kind": "single",
        "slots": (COURSES, NAMES),
        "tell": ["Signed up for an evening class in {a} at the community college, first session Tuesday."],
        "ask": ["What evening course did I enroll in?", "What am I studying at night?"],
    },
    {
        "kind": "single",
        "slots": (PLANTS, CITIES),
        "tell": ["Bought {a} for the balcony, hoping it survives the winter this time."],
        "ask": ["Which plant did I get for outside the flat?", "What greenery did I buy for the balcony garden?"],
    },
    {
        "kind": "multi",
        "slots": (NAMES, CITIES),
        "tell": [
            "My sister {a} just accepted a job offer and is relocating to {b}.",
            "Booked flights to go see {a} next month, can't wait to see her new place.",
        ],
        "ask": ["Which city am I flying to next month?", "Where will my trip next month take me?"],
    },
    {
        "kind": "multi",
        "slots": (NAMES, SPORTS),
        "tell": [
            "My colleague {a} got me into {b}, we go every Thursday after work.",
            "{a} is moving teams, so I'll need someone new for our Thursday sessions.",
        ],
        "ask": [
            "What activity do I do on Thursdays that needs a new partner?",
            "Which weekly hobby is losing my usual buddy?",
        ],
    },
    {
        "kind": "multi",
        "slots": (EMPLOYERS, NAMES),
        "tell": [
            "Interviewed at {a} today, the hiring manager {b} was lovely.",
            "{b} called back, they want me to start in two weeks!",
        ],
        "ask": ["Where did I get the job offer?", "Which employer am I about to join?"],
    },
    {
        "kind": "temporal",
        "slots": (RACES, CITIES),
        "tell": ["Just crossed the finish line of my first {a}, legs like jelly."],
        "ask": ["When did I complete that race?", "On what date did I finish my first competitive run?"],
    },
    {
        "kind": "temporal",
        "slots": (TRIPS, NAMES),
        "tell": ["Landed back from {a} last night, what a trip."],
        "ask": ["When did I get home from my holiday?", "What day did I return from travelling abroad?"],
    },
    {
        "kind": "temporal",
        "slots": (NAMES, CITIES),
        "tell": ["Went to {a}'s wedding in {b} over the weekend, danced until 2am."],
        "ask": ["When was the marriage ceremony I attended?", "What day did I go to a friend's nuptials?"],
    },
    {
        "kind": "preference",
        "slots": (DISHES, CITIES),
        "tell": ["Nothing beats a big bowl of {a} when it's cold outside, honestly."],
        "ask": ["What should I cook for dinner tonight that I'd enjoy?", "Which meal is my comfort food?"],
    },
    {
        "kind": "preference",
        "slots": (BOOKS, NAMES),
        "tell": ["Re-reading {a} for the third time, it gets better every time."],
        "ask": ["Can you suggest a novel similar to ones I love?", "What's a book I'm fond of?"],
    },
    {
        "kind": "preference",
        "slots": (SPORTS, NAMES),
        "tell": ["Spent the whole morning {a} again, it's the only thing that clears my head."],
        "ask": ["What's a good weekend activity for me?", "Which pastime helps me unwind?"],
    },
    {
        "kind": "update",
        "slots": (CITIES, CITIES),
        "tell": [
            "Signed the lease on a flat in {a}, moving in next week.",
            "Big news, we packed everything up and relocated to {b} for good.",
        ],
        "ask": ["Which city is home for me these days?", "Where am I based now?"],
    },
    {
        "kind": "update",
        "slots": (EMPLOYERS, EMPLOYERS),
        "tell": ["First week at {a} went well, nice team.", "Handed in my notice, starting at {b} on Monday."],
        "ask": ["Who is my current employer?", "Where do I work at the moment?"],
    },
    {
        "kind": "update",
        "slots": (INSTRUMENTS, INSTRUMENTS),
        "tell": [
            "Practising the {a} every evening lately.",
            "Sold the {a} and switched to the {b}, it suits me better.",
        ],
        "ask": ["What instrument do I play these days?", "Which instrument am I practising now?"],
    },
]

# Near misses: the same things, about other people (slot values drawn afresh).
NEAR = [
    ("My neighbour's {b} keeps digging under our fence.", BREEDS),
    ("A friend adopted a rescue dog called {b}, very shy.", PETS),
    ("My cousin is thinking about learning the {b}.", INSTRUMENTS),
    ("A colleague has a terrible {b} allergy, we had to change the office snacks.", ALLERGENS),
    ("My brother keeps talking about buying {b}.", CARS),
    ("Saw a poster for {b} classes at the library.", COURSES),
    ("My mum's {b} is thriving on her windowsill.", PLANTS),
    ("An old school friend just moved to {b}.", CITIES),
    ("My flatmate started {b} and won't stop talking about it.", SPORTS),
    ("A friend of mine got hired at {b}.", EMPLOYERS),
    ("My partner ran a {b} years ago.", RACES),
    ("My boss just came back from {b}, lots of photos.", TRIPS),
    ("We had {b} at the work canteen, it was bland.", DISHES),
    ("Book club picked {b} this month, not my thing.", BOOKS),
    ("My aunt {b} got married last year.", NAMES),
    ("Heard someone recommend a novel by the author of {b}.", BOOKS),
]

UNRELATED = [
    "Make a markdown table of the planets and how many moons each has.",
    "What is 17 times 23?",
    "Write a haiku about autumn leaves.",
    "Explain how a hash map works.",
    "Translate 'good morning' into German.",
    "What's the difference between TCP and UDP?",
    "Give me a regex that matches an email address.",
    "Summarise the plot of Hamlet in two sentences.",
    "How many seconds are there in a day?",
    "Write a Python function that reverses a string.",
    "What causes the seasons on Earth?",
    "List three prime numbers bigger than 100.",
    "What does HTTP status 418 mean?",
    "Convert 30 degrees Celsius to Fahrenheit.",
    "Tell me a joke about programmers.",
    "What is the capital of Australia?",
    "How do I undo the last git commit?",
    "Explain photosynthesis to a ten-year-old.",
    "Sort these numbers: 5, 2, 9, 1.",
    "Who wrote Pride and Prejudice?",
]

# Small talk: topics × openers, so every conversation has its own. Some share the
# questions' words (a neighbour's dog, a friend's job, the weather on a trip).
SMALL_TOPICS = [
    "the weather has been grey all week",
    "my neighbour's dog barked half the night",
    "the train was late again this morning",
    "I tried a new coffee place near the office",
    "a friend of mine changed jobs recently",
    "there's roadwork outside the building",
    "I watched a documentary about octopuses",
    "the printer at work jammed twice",
    "someone at the gym left their towel everywhere",
    "I cleaned out the fridge finally",
    "the football match went to penalties",
    "my phone battery dies so quickly now",
    "I saw a really nice car parked on our street",
    "the supermarket moved all the aisles",
    "I found an old photo album in the attic",
    "the bakery ran out of croissants",
    "there was a fox in the garden at dawn",
    "my laptop fan is making a weird noise",
    "I can't decide what to watch tonight",
    "a colleague brought homemade cookies",
    "the heating in the flat is acting up",
    "I walked past a street musician playing violin",
    "my cousin is planning a holiday somewhere sunny",
    "I got a parking ticket, annoyingly",
    "the cinema near me is closing down",
    "I started a jigsaw puzzle of a lighthouse",
    "our team lunch was at a noodle bar",
    "I read an article about sleep and screens",
    "the bus driver was singing this morning",
    "I had to reset every password at work",
]
OPENERS = [
    "Random thought: {t}.",
    "Not much news, {t}.",
    "So, {t}.",
    "Funny day, {t}.",
    "Anyway, {t}.",
    "By the way, {t}.",
    "Meh, {t}.",
    "Also {t}, if you can believe it.",
]
REPLIES = [
    "That sounds like quite a day.",
    "Oh no, that's annoying!",
    "Ha, I can picture it.",
    "Interesting, tell me more if you like.",
    "That must have been nice.",
    "Hopefully it gets better soon.",
    "Fair enough!",
    "Sounds like a classic week.",
    "I'm glad you shared that.",
    "What a mix of things.",
]
TELL_REPLIES = [
    "Congratulations, that's lovely!",
    "Oh nice, how exciting.",
    "Good to know!",
    "That's a big step.",
    "Wonderful news.",
    "Sounds great, enjoy it.",
]


def _small_talk(rng: random.Random) -> Turn:
    if rng.random() < 0.25:  # about other people's dogs, jobs, trips: the questions' words
        text, pool = rng.choice(NEAR)
        return Turn(text.format(b=rng.choice(pool)), rng.choice(REPLIES))
    return Turn(rng.choice(OPENERS).format(t=rng.choice(SMALL_TOPICS)), rng.choice(REPLIES))


def conversation(rng: random.Random, sessions: int, turns: int, stories: int, unrelated: int) -> Conversation:
    """One conversation: ``sessions`` sessions of ``turns`` turns (a few days apart),
    ``stories`` stories told across them, ``unrelated`` unrelated questions."""
    days = 0.0
    out = []
    for _ in range(sessions):
        out.append(Session(START + days * DAY + rng.randint(8, 20) * 3600, [_small_talk(rng) for _ in range(turns)]))
        days += rng.randint(2, 9)
    used: set[tuple[int, int]] = set()
    questions: list[Question] = []
    for story in rng.sample(STORIES, min(stories, len(STORIES))):
        a, b = (rng.choice(pool) for pool in story["slots"])
        while b == a:
            b = rng.choice(story["slots"][1])
        tells = story["tell"]
        first = rng.randrange(0, sessions - len(tells) + 1)
        where = sorted(rng.sample(range(first, sessions), len(tells)))
        spots = []
        for session, text in zip(where, tells):
            free = [t for t in range(turns) if (session, t) not in used]
            t = rng.choice(free)
            used.add((session, t))
            out[session].turns[t] = Turn(text.format(a=a, b=b), rng.choice(TELL_REPLIES))
            spots.append((session, t))
        evidence = spots[-1:] if story["kind"] == "update" else spots
        questions.append(Question(story["kind"], rng.choice(story["ask"]), evidence))
    for text in rng.sample(UNRELATED, min(unrelated, len(UNRELATED))):
        questions.append(Question("unrelated", text, []))
    return Conversation(out, questions)


def dataset(
    seed: int, conversations: int, sessions: int = 8, turns: int = 24, stories: int = 12, unrelated: int = 5
) -> list[Conversation]:
    rng = random.Random(seed)
    return [conversation(rng, sessions, turns, stories, unrelated) for _ in range(conversations)]
