"""Recall's ranking, on a real SQLite file (BM25 through FTS5) with similarities given by the
test: what is relevant comes back, best first; what is not, or is already in the window,
does not; newer beats older; superseded values only when the question asks for all."""

from __future__ import annotations

import numpy as np
import pytest

from mnemo.memory.recall import recall, shared_ranks
from mnemo.memory.records import Records
from mnemo.store import Store
from tests.conftest import NOW, Clock

DAY = 86400.0


@pytest.fixture
def records(home):
    return Records(Store.open(clock=Clock()))


def add(records: Records, kind: str, text: str, days_ago: float = 0.0, **fields):
    records.store.clock.now = NOW - days_ago * DAY
    try:
        return records.add(kind, text, meta={"role": "user"} if kind == "episode" else None, **fields)
    finally:
        records.store.clock.now = NOW


def ranked(
    records: Records,
    query: str,
    sims: dict[int, float],
    *,
    window: set[int] = frozenset(),
    budget: int = 600,
    k: int = 12,
    vectors: dict[int, np.ndarray] | None = None,
) -> list[int]:
    """Recall's ids, best first, with ``sims`` as the embedder's cosine similarities (and
    ``vectors`` as the memories' embeddings, for the near-copy check)."""

    def vector_search(q):
        return sorted(sims.items(), key=lambda kv: -kv[1])[:50]

    def similarity(q, ids):
        return {i: sims.get(i, 0.0) for i in ids}

    found = recall(
        records,
        vector_search,
        similarity,
        query,
        now=NOW,
        exclude_sources=set(window),
        exclude_ids=set(),
        budget_tokens=budget,
        count_many=lambda ts: [len(t.split()) for t in ts],
        k=k,
        vectors=(lambda ids: {i: vectors[i] for i in ids if i in vectors}) if vectors else None,
    )
    return [x.record.id for x in sorted(found, key=lambda x: -x.score)]


def test_the_relevant_fact_comes_first_and_the_unrelated_not_at_all(records):
    fact = add(records, "fact", "The user's dog is called Rex.", subject="dog")
    episode = add(records, "episode", "We walked the dog in the park yesterday.")
    unrelated = add(records, "fact", "The user works as a nurse.", subject="job")
    order = ranked(records, "What is my dog's name?", {fact.id: 0.62, episode.id: 0.45, unrelated.id: 0.05})
    assert order == [fact.id, episode.id]


def test_newer_beats_older_at_equal_relevance(records):
    old = add(records, "episode", "I planted tomatoes in the garden.", days_ago=30)
    new = add(records, "episode", "I planted tomatoes on the balcony.", days_ago=0.1)
    assert ranked(records, "Where did I plant tomatoes?", {old.id: 0.5, new.id: 0.5}) == [new.id, old.id]


def test_words_alone_need_some_meaning_too(records):
    loose = add(records, "episode", "The python in the zoo was asleep.")
    assert ranked(records, "Did I see the python at the zoo?", {loose.id: 0.05}) == []  # words match, meaning not
    assert ranked(records, "Did I see the python at the zoo?", {loose.id: 0.2}) == [loose.id]


def test_the_gate_a_request_about_nothing_remembered_gets_nothing(records):
    """Memory is for what concerns the user: an impersonal request gets nothing, however
    many words it shares with memories, unless a memory is very close in meaning."""
    table = add(records, "episode", "I made a table of my plants and how often to water them.")
    job = add(records, "fact", "The user works at the city library.", subject="work")
    request = "Make a markdown table of the planets and their moons."
    assert ranked(records, request, {table.id: 0.35, job.id: 0.02}) == []
    each = "Make a markdown table of the planets and how many moons each has."  # "each": not history
    assert ranked(records, each, {table.id: 0.35, job.id: 0.02}) == []
    assert ranked(records, request, {table.id: 0.55, job.id: 0.02}) == [table.id]  # very close: it passes
    # ... and brings only what is that close, not the chatter near it
    chatter = add(records, "episode", "Random thought: the planets looked bright on the table last night.")
    assert ranked(records, request, {table.id: 0.55, job.id: 0.02, chatter.id: 0.35}) == [table.id]
    assert ranked(records, "How do I make a table in markdown?", {table.id: 0.35}) == []  # "how do I": generic
    assert ranked(records, "Which table did I make?", {table.id: 0.35}) == [table.id]  # about the user
    assert ranked(records, "What's the library's address again?", {job.id: 0.3}) == [job.id]  # "again": said before


def test_a_name_the_memories_hold_opens_the_gate_and_a_second_hop_follows_it(records):
    moved = add(records, "episode", "My sister Hannah is relocating to Lisbon for a new job.", days_ago=20)
    trip = add(records, "episode", "Booked flights to go see Hannah next month.", days_ago=2)
    noise = add(records, "episode", "The weather has been grey all week.", days_ago=1)
    assert (
        ranked(records, "When is the trip to see Hannah?", {trip.id: 0.45, moved.id: 0.1, noise.id: 0.1})[0] == trip.id
    )
    # the city needs both turns: the trip names Hannah, and Hannah leads to the move
    sims = {trip.id: 0.45, moved.id: 0.12, noise.id: 0.05}
    order = ranked(records, "Which city am I flying to next month?", sims)
    assert trip.id in order and moved.id in order and noise.id not in order


def test_what_the_window_shows_is_not_recalled_again(records):
    episode = add(records, "episode", "My sister lives in Lisbon.", source_message_id=7)
    assert ranked(records, "Where does my sister live?", {episode.id: 0.7}) == [episode.id]
    assert ranked(records, "Where does my sister live?", {episode.id: 0.7}, window={7}) == []


def test_the_token_budget_and_k_keep_the_best(records):
    facts = [add(records, "fact", f"The user's fact number {i} is about boats.", subject=f"boat {i}") for i in range(5)]
    sims = {f.id: 0.3 + 0.1 * i for i, f in enumerate(facts)}
    assert ranked(records, "boats", sims, k=2) == [facts[4].id, facts[3].id]
    assert len(ranked(records, "boats", sims, budget=2 * (9 + 12))) == 2  # two notes' worth of tokens


def test_superseded_values_only_when_all_are_asked_for(records):
    brown = add(records, "preference", "The user's favourite colour is Brown.", days_ago=2, subject="favourite colour")
    red = add(records, "preference", "The user's favourite colour is Red.", subject="favourite colour")
    sims = {brown.id: 0.6, red.id: 0.6}
    assert ranked(records, "What is my favourite colour?", sims) == [red.id]
    every = recall(
        records,
        None,
        None,
        "What were all my favourite colours?",
        now=NOW,
        exclude_sources=set(),
        exclude_ids=set(),
        budget_tokens=600,
        count_many=lambda ts: [1] * len(ts),
    )
    assert {x.record.id: x.earlier for x in every} == {brown.id: True, red.id: False}


def test_every_past_value_asked_for_comes_before_closer_looking_chatter(records):
    names = [
        add(records, "fact", f"The user's name is {n}.", days_ago=3 - i, subject="name")
        for i, n in enumerate(["Cyril", "Juno", "Bea"])
    ]
    chatter = [add(records, "episode", f"Some chatter about the first list of answers, number {i}.") for i in range(12)]
    sims = {c.id: 0.3 for c in chatter} | {names[2].id: 0.4}
    got = set(ranked(records, "What are all the names I have had, oldest first?", sims, k=12))
    assert {n.id for n in names} <= got


def test_mnemos_own_replies_only_when_asked_what_it_said(records):
    """A reply mnemo wrote (perhaps repeating a memory) is not evidence about the user; a turn
    recorded with observe is. Asked what it said, its replies are what the user wants."""
    fact = add(records, "list", "The user's shopping list: 2 leeks.", subject="list:shopping list")
    parrot = records.add(
        "episode", "Your shopping list: 2 leeks. Anything else?", meta={"role": "assistant", "generated": True}
    )
    observed = records.add("episode", "Leeks are cheap at the market on Fridays.", meta={"role": "assistant"})
    sims = {fact.id: 0.6, parrot.id: 0.6, observed.id: 0.4}
    order = ranked(records, "What do I still have to buy?", sims)
    assert fact.id in order and observed.id in order and parrot.id not in order
    assert parrot.id in ranked(records, "What did you tell me I have to buy?", sims)


def test_the_users_past_questions_only_when_asked_what_they_asked(records):
    """A past question states nothing: "what's my dog called?" is no evidence of the dog's
    name. Asked what they asked, the user's questions are the answer."""
    told = add(records, "episode", "My dog is called Rex, he is a beagle.", days_ago=3)
    asked = add(records, "episode", "What's my dog called again?", days_ago=1)
    spoken = add(records, "episode", "Caroline: Is your dog a beagle? Does he like the park?", days_ago=1)
    mixed = add(records, "episode", "I walked my dog today. Should I get him a coat?", days_ago=1)
    sims = {told.id: 0.7, asked.id: 0.8, spoken.id: 0.6, mixed.id: 0.5}
    order = ranked(records, "What is my dog's name?", sims)
    assert told.id in order and mixed.id in order and asked.id not in order and spoken.id not in order
    again = ranked(records, "What did I ask you about my dog?", sims)
    assert asked.id in again and spoken.id in again


def test_a_request_for_me_is_not_about_me_and_table_cells_are_not_names(records):
    table = records.add("episode", "| Fruit | Colour |\n| Banana | Yellow |", meta={"role": "user"})
    shopping = add(records, "episode", "I need to buy 2 leeks")
    assert ranked(records, "Give me a synonym for happy", {table.id: 0.3, shopping.id: 0.1}) == []
    assert ranked(records, "Tell me what you know about me", {table.id: 0.3, shopping.id: 0.3}) != []
    # the best match is a table: its cells lead nowhere, so nothing unrelated comes along
    order = ranked(records, "What fruit did I list?", {table.id: 0.45, shopping.id: 0.02})
    assert order == [table.id]


def test_what_others_did_ranks_below_what_the_user_did_unless_the_question_is_about_them(records):
    friend = add(records, "episode", "A friend of mine got hired at a shipping company.")
    neighbour = add(records, "episode", "Random thought: my neighbour's new job is at the bakery.")
    mine = add(records, "episode", "Handed in my notice, starting at the city library on Monday.")
    sims = {friend.id: 0.31, neighbour.id: 0.30, mine.id: 0.26}
    assert ranked(records, "Where do I work at the moment?", sims)[0] == mine.id
    assert ranked(records, "Where does my friend work now?", sims)[0] == friend.id
    # ... but not when the user takes part in what they did
    climbing = add(records, "episode", "My colleague Hannah got me into bouldering, we go every Thursday.")
    chatter = add(records, "episode", "Random thought: the weather has been grey all week.")
    sims = {climbing.id: 0.37, chatter.id: 0.33}
    assert ranked(records, "Which weekly hobby do I do?", sims)[0] == climbing.id


def test_the_same_words_said_many_times_share_one_place_in_a_ranking():
    assert shared_ranks([(1, 0.9), (2, 0.9), (3, 0.9), (4, 0.5), (5, 0.4), (6, 0.4), (7, 0.1)]) == [0, 0, 0, 1, 2, 2, 3]
    assert shared_ranks([]) == []


def test_near_copies_of_what_was_chosen_leave_room_for_something_else(records):
    """People say the same thing again in other words ("By the way, …", "So, …"): one of them
    is enough, and the next distinct memory takes the place the others would have filled."""
    rng = np.random.default_rng(0)
    heating = np.eye(8)[0]
    copies = [
        add(records, "episode", f"{opener} the heating in the flat is acting up.")
        for opener in ("By the way,", "So,", "Funny day,", "Anyway,")
    ]
    plant = add(records, "episode", "Bought a fig tree for the balcony, hoping it survives the winter.")
    vectors = {c.id: (v := heating + 0.05 * rng.standard_normal(8)) / np.linalg.norm(v) for c in copies}
    vectors[plant.id] = np.eye(8)[1]
    sims = {c.id: 0.33 - 0.01 * i for i, c in enumerate(copies)} | {plant.id: 0.3}
    question = "Which plant did I get for outside the flat?"
    assert plant.id not in ranked(records, question, sims, k=3)  # without the vectors: three copies
    order = ranked(records, question, sims, k=3, vectors=vectors)
    assert plant.id in order and len(set(order) & {c.id for c in copies}) == 1


def test_a_question_in_the_present_finds_what_was_told_in_the_irregular_past(records):
    """The index stems "visited" to "visit", not "went" to "go"; the question brings the forms."""
    wedding = add(records, "episode", "Went to Marta's wedding over the weekend, danced until 2am.")
    chatter = [add(records, "episode", f"Random thought number {i}: the weather has been grey.") for i in range(12)]
    sims = {c.id: 0.3 for c in chatter} | {wedding.id: 0.12}
    assert wedding.id in ranked(records, "What day did I go to the nuptials?", sims, k=10)


def _dialogue(records: Records, turns: int) -> None:
    """A recorded dialogue: every turn carries its speaker's name, as "Speaker: text"."""
    topics = ["the weather", "a new book", "the garden", "a long walk", "the train", "dinner plans"]
    for i in range(turns):
        speaker = "Noor" if i % 2 else "Tamsin"
        add(records, "episode", f"{speaker}: Thinking about {topics[i % len(topics)]} again, day {i}.")
    add(records, "episode", "Noor: I baked a lemon tart for the picnic.")


def test_a_name_in_most_memories_is_left_out_of_the_search(records):
    from mnemo.memory.recall import without_common

    _dialogue(records, 60)
    assert without_common("What did Noor bake for the picnic?", records) == "What did bake for the picnic?"
    assert without_common("What did Noor's sister bake?", records) == "What did sister bake?"
    # nothing left to search by: the question as asked
    assert without_common("Who are Noor and Tamsin?", records) == "Who are Noor and Tamsin?"


def test_in_a_small_memory_every_word_counts(records):
    from mnemo.memory.recall import without_common

    _dialogue(records, 10)  # "Noor" is in half, but there are too few memories to tell
    assert without_common("What did Noor bake for the picnic?", records) == "What did Noor bake for the picnic?"


def test_a_word_in_very_many_memories_is_searched_only_when_the_rarer_words_find_too_few(records, monkeypatch):
    from mnemo.memory import recall

    monkeypatch.setattr(recall, "RANKED_UP_TO", 80)  # as 1,000 is in a store of 100k, at test size
    ranked_for: list[str] = []  # what FTS5 was asked to rank
    fts = records.fts
    monkeypatch.setattr(records, "fts", lambda words, limit, **kw: ranked_for.append(words) or fts(words, limit, **kw))
    records.add_episodes([f"We ate lunch by the river, day {i}." for i in range(100)], NOW)
    records.add_episodes([f"The tapir ate a melon, number {i}." for i in range(60)], NOW)
    tapirs = {mid for mid, _ in fts("tapir", 100)}
    hits = recall.word_search(records, "tapir ate")
    assert ranked_for == ["tapir"]  # "ate", in 160 memories, left out
    assert len(hits) == recall.WORD_HITS and {mid for mid, _ in hits} <= tapirs
    records.add_episodes([f"A tapir was seen, time {i}." for i in range(2)], NOW)
    monkeypatch.setattr(recall, "WORD_HITS", 70)  # now the rarer word finds 62, fewer than a list
    ranked_for.clear()
    hits = recall.word_search(records, "tapir ate")
    assert ranked_for == ["tapir", "tapir ate"]  # then the whole question
    assert len(hits) == 70 and {mid for mid, _ in hits[:62]} == {mid for mid, _ in fts("tapir", 100)}
    monkeypatch.setattr(recall, "RANKED_UP_TO", 1000)  # a store smaller than that leaves nothing out
    ranked_for.clear()
    assert recall.word_search(records, "tapir ate") == fts("tapir ate", 70) and ranked_for == ["tapir ate"]


def test_the_meaning_search_is_not_steered_by_the_name_everywhere(records):
    _dialogue(records, 60)
    tart = records.fts("lemon tart", 1)[0][0]
    asked: list[str] = []

    def vector_search(q):
        asked.append(q)
        return [(tart, 0.6)]

    found = recall(
        records,
        vector_search,
        lambda q, ids: {i: 0.2 for i in ids},
        "What did Noor bake for the picnic?",
        now=NOW,
        exclude_sources=set(),
        exclude_ids=set(),
        budget_tokens=600,
        count_many=lambda ts: [len(t.split()) for t in ts],
    )
    assert asked[0] == "What did bake for the picnic?"
    assert max(found, key=lambda x: x.score).record.id == tart


def test_a_question_naming_a_speaker_favours_that_speakers_turns(records):
    hers = add(records, "episode", "Noor: I finally painted the old fence blue.", days_ago=3)
    his = add(records, "episode", "Tamsin: I painted the old fence blue too.", days_ago=0.1)
    sims = {hers.id: 0.5, his.id: 0.5}
    assert ranked(records, "What colour did Noor paint the fence?", sims) == [hers.id, his.id]
    assert ranked(records, "Tamsin painted what?", sims) == [his.id, hers.id]  # a name opening the question too


def test_speaker_is_the_labels_first_name():
    from mnemo.memory.recall import speaker

    assert speaker("Ana Lima: We went hiking.") == "Ana"
    assert speaker("We went hiking: it rained.") is None


def test_the_users_past_requests_only_when_asked_what_they_asked(records):
    """A request to the assistant ("Tell me about myself.", "Give me a recipe") says nothing of
    the user, like a question; a message handing something over to keep does."""
    told = add(records, "episode", "I baked banana bread for my sister's birthday.", days_ago=3)
    about = add(records, "episode", "Tell me about myself.", days_ago=1)
    recipe = add(records, "episode", "Please give me a recipe for banana bread", days_ago=1)
    asked = add(records, "episode", "Can you write a haiku about banana bread?", days_ago=1)
    kept = add(records, "episode", "Remember that I bake banana bread on Sundays.", days_ago=2)
    sims = {told.id: 0.6, about.id: 0.5, recipe.id: 0.8, asked.id: 0.7, kept.id: 0.6}
    order = ranked(records, "What did I bake?", sims)
    assert told.id in order and kept.id in order
    assert not {about.id, recipe.id, asked.id} & set(order)
    again = ranked(records, "What did I ask you to do about banana bread?", sims)
    assert recipe.id in again and asked.id in again
    assert recipe.id in ranked(records, "What were my last requests?", sims)


def test_only_asks_is_questions_and_requests_alone():
    from mnemo.memory.recall import only_asks

    assert only_asks("Tell me about myself.")
    assert only_asks("Give me a recipe")
    assert only_asks("Ana: Okay, could you please summarise this? And list the steps.")
    assert only_asks("How was Rome? Did you go to the Vatican?")
    assert not only_asks("Tell me about it! I got a new job at the bakery.")
    assert not only_asks("Remember that my dog is called Rex.")
    assert not only_asks("I need a recipe for banana bread.")


def test_a_long_turn_is_quoted_from_what_the_question_is_about():
    from mnemo.memory.recall import focus

    turn = (
        "Mel: Wow, that's great! How are you? We went camping at the lake last weekend. "
        "The kids loved roasting marshmallows. It rained on Sunday though. Anyway, how's work?"
    )
    assert focus(turn, "Where did Mel go camping?") == (
        "Mel: We went camping at the lake last weekend. The kids loved roasting marshmallows."
    )
    # the fillers between two sentences about the question go, the sentences stay
    assert focus("I painted a lake. Wow! Cool? Then I painted a boat. Bye now.", "What did I paint?") == (
        "I painted a lake. Then I painted a boat. Bye now."
    )
    # no sentence with the question's words: the longest and the one after it
    assert focus("Yes! It was a lovely trip to the mountains with my aunt. So calm. Bye!", "holiday") == (
        "It was a lovely trip to the mountains with my aunt. So calm."
    )
    assert focus("We went camping at the lake.", "camping") is None  # one sentence: all of it
    assert focus("We went camping. It was fun.", "camping") is None  # nothing to leave out


def test_recall_quotes_the_part_of_a_long_turn_and_packs_by_it(records):
    from mnemo.memory.recall import recall

    long = add(
        records,
        "episode",
        "Mel: Hi! How are you? We went camping at the lake. Then we drove home. Talk soon, bye!",
    )
    found = recall(
        records,
        lambda q: [(long.id, 0.6)],
        lambda q, ids: {i: 0.6 for i in ids},
        "Where did Mel go camping?",
        now=NOW,
        exclude_sources=set(),
        exclude_ids=set(),
        budget_tokens=12 + 11,  # the part's 11 words fit, the whole turn's 18 would not
        count_many=lambda ts: [len(t.split()) for t in ts],
    )
    assert [x.text for x in found] == ["Mel: We went camping at the lake. Then we drove home."]


def test_relative_dates_in_a_recalled_turn_are_resolved_against_the_day_it_was_said():
    from datetime import datetime

    from mnemo.memory.recall import dated

    said = datetime(2023, 5, 8, 13, 56).timestamp()
    assert dated("Mel: I went to a support group yesterday.", said) == (
        "Mel: I went to a support group yesterday (7 May 2023)."
    )
    assert dated("Two days ago I ran; last week I painted", said) == (
        "Two days ago (6 May 2023) I ran; last week (the week before 8 May 2023) I painted"
    )
    assert dated("last month, last year and tonight", said) == (
        "last month (April 2023), last year (2022) and tonight (8 May 2023)"
    )
    assert dated("two months ago", datetime(2023, 1, 8).timestamp()) == "two months ago (November 2022)"
    assert dated("We met at noon.", said) == "We met at noon."


def test_recall_gives_the_day_a_relative_date_means(records):
    from datetime import datetime

    from mnemo.memory.recall import recall

    records.store.clock.now = datetime(2023, 5, 8, 13, 56).timestamp()
    went = records.add("episode", "Caroline: I went to the support group yesterday.", meta={"role": "user"})
    records.store.clock.now = NOW
    found = recall(
        records,
        lambda q: [(went.id, 0.6)],
        lambda q, ids: {i: 0.6 for i in ids},
        "When did Caroline go to the support group?",
        now=NOW,
        exclude_sources=set(),
        exclude_ids=set(),
        budget_tokens=600,
        count_many=lambda ts: [len(t.split()) for t in ts],
    )
    assert [x.text for x in found] == ["Caroline: I went to the support group yesterday (7 May 2023)."]
