"""Questions mnemo answers from its own memory, in the form the user asks for: what is on a
list ("What's on my shopping list? Answer as a JSON list with `item` and `quantity`"), and
every value the user gave for something, in order ("What are all the names I have given
you?"). The answer is what memory holds, not what a model would make of it; the message
must be only that question (and how to answer it): "what's on my list and what can I cook
with it?" is the model's, with the list recalled."""

from __future__ import annotations

import re

from mnemo.memory.rules.intents import Asked, Form, Intent
from mnemo.memory.rules.lists import list_name
from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.text import clean, subject_key
from mnemo.memory.rules.words import ASKING, PLEASE, THANKS, one_of


def _list(group: str) -> str:
    return rf"(?:my|the|our)\ (?:(?P<{group}>[a-z]+)\ )?list"


def _things(group: str) -> str:
    return rf"(?P<{group}>[a-z]+(?:\ [a-z]+){{0,2}}?)"


_NOW = r"(?:\ (?:now|so\ far|again|right\ now|at\ the\ moment|currently|today|these\ days))?"
_TELL = r"(?:(?:tell|remind|show)\ (?:me|us)|let\ me\ know|i\ (?:forgot|forget)|do\ you\ (?:know|remember))\ "
LIST_ASKED = Phrases(
    "asked-list",
    (
        "asked-list-whats-on",
        rf"(?:{_TELL})?(?:what|which)(?:'s|\ is|\ are|\ have\ i\ got|\ do\ i\ have|\ did\ i\ put|\ items\ are|'s\ left"
        rf"|\ is\ left|\ is\ still|'s\ still|\ things\ are|\ remains|\ items\ do\ i\ have)\ (?:on|in)\ {_list('l1')}"
        rf"{_NOW}",
    ),
    ("asked-list-show", rf"(?:show|give|read|list|tell)(?:\ me|\ us)?(?:\ out)?\ {_list('l2')}{_NOW}"),
    (
        "asked-list-can-i-see",
        rf"(?:can|could|may)\ (?:i|we)\ (?:see|have|get|hear|look\ at)\ {_list('l4')}{_NOW}",
    ),
    (
        "asked-list-what-to-buy",
        rf"(?:{_TELL})?what\ (?:do|should|must|did)\ (?:i|we)\ (?:still\ )?"
        r"(?:need\ to\ |have\ to\ |want\ to\ |say\ i'd\ )?"
        r"(?:buy|get|pick\ up|shop\ for)(?:\ (?:at|from)\ the\ (?:shops?|store|supermarket|market|grocery\ store))?",
    ),
    (
        "asked-list-what-groceries",
        r"(?:what|which)\ (?:groceries|items|things|food|shopping)\ do\ (?:i|we)\ (?:still\ )?need"
        r"(?:\ to\ (?:buy|get|pick\ up))?(?:\ (?:at|from)\ the\ (?:shops?|store|supermarket|market))?",
    ),
    (
        "asked-list-what-i-need",
        rf"(?:{_TELL})?what\ (?:i|we)\ (?:still\ )?(?:need|have|want|ought)\ to\ (?:buy|get|pick\ up|shop\ for)",
    ),
    (
        "asked-list-anything-on",
        rf"(?:is\ there|do\ i\ have|have\ i\ got|are\ there)\ (?:anything|any\ items|things)\ (?:on|in)\ {_list('l3')}"
        rf"{_NOW}",
    ),
)
_SO_FAR = r"(?:,?\ (?:so\ far|before|over\ time|until\ now|in\ order|altogether|in\ total|over\ the\ years))?"
_GAVE = (
    r"(?:i|i've|i\ have|i\ had)\ (?:ever\ |already\ |so\ far\ )?(?:given|gave|told|said|used|gone\ by|went\ by"
    rf"|mentioned|called\ myself|had)(?:\ to)?(?:\ you)?{_SO_FAR}"
)
HISTORY_ASKED = Phrases(
    "asked-history",
    (
        "asked-history-all-given",
        rf"what\ (?:are|were)\ (?:all\ )?(?:of\ )?(?:the\ )?{_things('t1')}\ (?:that\ )?{_GAVE}",
    ),
    (
        "asked-history-which-given",
        rf"(?:what|which)\ {_things('t2')}\ (?:have|did)\ i\ (?:ever\ )?"
        r"(?:give|given|tell|told|use|used|go\ by|gone\ by|had|have"
        rf"|mention|mentioned)(?:\ to)?(?:\ you)?{_SO_FAR}",
    ),
    (
        "asked-history-all-my",
        rf"what\ (?:are|were|have\ been)\ all\ (?:of\ )?my\ {_things('t5')}{_SO_FAR}",
    ),
    (
        "asked-history-call-me",
        r"what\ (?:all\ )?(?:(?:the\ )?names\ )?(?:have|did)\ (?:i\ (?:asked|told|ask|tell)\ you\ to\ call\ me"
        rf"|you\ called\ me)(?P<c>){_SO_FAR}",
    ),
    (
        "asked-history-list-every",
        rf"(?:list|tell\ me|show\ me|give\ me|name|repeat)\ (?:all|every|each|any)\ (?:one\ )?(?:of\ )?(?:the\ )?"
        rf"{_things('t3')}\ (?:that\ )?{_GAVE}",
    ),
    (
        "asked-history-previous",
        rf"what\ (?:was|were)\ my\ (?:previous|earlier|old|former|past|other)\ {_things('t4')}"
        r"|what\ (?:was|were)\ my\ (?P<b>[a-z]+(?:\ [a-z]+)?)\ before(?:\ that|\ this)?",
    ),
    (
        "asked-history-of",
        r"(?:what's|what\ is|show\ me|give\ me|tell\ me)\ (?:the\ )?(?:whole\ |full\ )?history\ of\ my\ "
        r"(?P<h>[a-z]+(?:\ [a-z]+)?)",
    ),
)
_LIST_ASKED = LIST_ASKED.compile(re.I)
_HISTORY_ASKED = HISTORY_ASKED.compile(re.I)

# How to answer: the form's words, and the keys a JSON answer or a table is to have.
FORMS = Phrases(
    "answer-form",
    ("form-json", r"json"),
    ("form-table", r"(?:markdown\ )?table"),
    ("form-numbered", r"numbered\ list|numbered|ordered\ list|a\ numbered\ markdown\ list"),
    ("form-markdown", r"markdown(?:\ list)?|bullet(?:ed)?(?:\ list|\ points)?|bullets|a\ list|list\ form"),
    ("form-comma-separated", r"comma[-\ ]separated(?:\ list)?|separated\ by\ commas|(?:on\ )?one\ line"),
    (
        "form-lines",
        r"one\ (?:item\ |thing\ |name\ |entry\ )?(?:per|a)\ line|(?:each\ )?on\ its\ own\ line|line\ by\ line"
        r"|(?:on\ )?separate\ lines",
    ),
    ("form-plain", r"plain(?:\ text|\ english|\ words)?|plainly|a\ sentence|words"),
)
_FORM = FORMS.compile(re.I)
_KEY = r"`[^`]{1,30}`|\"[^\"]{1,30}\"|'[^']{1,30}'|[a-z_]{1,30}"
KEYS = Phrases(
    "answer-keys",
    (
        "keys-with",
        rf"(?:with|having|containing|using)\ (?:the\ |its\ |two\ |these\ )?(?:keys?|fields?|properties|attributes"
        rf"|columns?|entries)?:?\s*(?P<keys>(?:{_KEY})(?:\s*(?:,|and|&|/|\+)\s*(?:and\ )?(?:{_KEY}))*)"
        r"(?:\ (?:keys?|fields?|properties|columns?))?",
    ),
    (
        "keys-named",
        rf"(?:keys?|fields?|properties|columns?)(?:\ named|\ called)?:?\s*"
        rf"(?P<named>(?:{_KEY})(?:\s*(?:,|and|&|/|\+)\s*(?:and\ )?(?:{_KEY}))*)",
    ),
)
_KEYS = KEYS.compile(re.I)
# Where the words on how to answer begin: "…? Answer as a JSON list …", "… as JSON", "…, in a table".
_VERB = (
    r"(?:answer|reply|respond|format|output|return|give|write|list|show|put|print|send|do|make|lay|tell)"
    r"(?:\s+(?:it|them|me|us|to\ me|to\ us|this|that|the\ answer|the\ list|back|out))*\s+"
)
_PREP = r"(?:as|in|into|using|with|like|for)\s+"
# Form words that never belong to the question itself: they start the words on the form
# even after a plain space ("read me my list separated by commas").
_PLAINLY_FORM = (
    r"json|markdown|bullet|bullets|bulleted|numbered|comma|separated\ by|line\ by\ line"
    r"|one\ (?:\w+\ )?(?:per|a)\ line|on\ (?:one|separate)\ lines?|each\ on"
)
_KEYS_START = r"(?:keys?|fields?|columns?|properties|attributes)\b|`"
_FORM_START = re.compile(
    rf"""(?:(?:^|[,:;—–-]\s*|\s+(?:and|but)\s+)(?:(?:please|just|kindly)\s+)*{_VERB}(?:{_PREP})?
    |  (?:^|[\s,:;—–-]+)(?:(?:please|and|just)\s+)*{_PREP}
    |  (?:^|[,:;—–-]\s*)(?:(?:please|just|kindly)\s+)*
    |  \s+(?=(?:{_PLAINLY_FORM})))
    (?:an?\s+|the\s+)?(?:valid\s+|proper\s+|simple\s+|nice\s+)?(?:{FORMS}|(?={_KEYS_START}))""",
    re.I | re.VERBOSE,
)
_POLITE = re.compile(
    rf"""^(?:(?:hey|hi|ok|okay|so|quick\ question|mnemo)[,!.\s]+)*(?:{one_of((*PLEASE, *ASKING))}\s+)?(?:please\s+)?
    |[\s,]*(?:{one_of((*PLEASE, *THANKS))}|for\ me|again)[\s!.]*$""",
    re.I | re.VERBOSE,
)
_NOT_THINGS = {"thing", "things", "fact", "facts", "message", "messages", "question", "questions", "instruction"}
_SUBJECTS = {"nickname": "name", "first name": "name", "address": "home", "city": "home", "place": "home"}


def _singular(words: str) -> str:
    *head, last = words.split()
    last = {"addresses": "address", "cities": "city", "names": "name", "colours": "colour"}.get(last, last)
    if last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join((*head, last))


def _subject(things: str) -> str | None:
    thing = subject_key(_singular(things.lower().removeprefix("my ").removeprefix("different ")))
    if thing in _NOT_THINGS or not thing:
        return None
    return _SUBJECTS.get(thing, thing)


def _form(said: str) -> Form:
    found = _FORM.search(said)
    kind = "plain"
    if found:
        name = next(n for n, p in FORMS.patterns.items() if re.fullmatch(p, found.group(0), re.I | re.VERBOSE))
        kind = name.removeprefix("form-")
    keys: tuple[str, ...] = ()
    if m := _KEYS.search(said):
        listed = m["keys"] or m["named"]
        keys = tuple(k.strip("`\"' ") for k in re.findall(_KEY, listed) if k.lower() != "and")
    if keys and kind == "plain":
        kind = "json"  # "with `item` and `quantity`": the keys of an object
    return Form(kind, keys)


def _split(text: str) -> tuple[str, str]:
    """The question, and the words on how to answer it."""
    parts = [p.strip() for p in re.split(r"(?<=[?!.])\s+|\n+", text.strip()) if p.strip()]
    question, how = [], []
    for part in parts:
        start = _FORM_START.search(part)
        if start is None:
            question.append(part)
            continue
        question.append(part[: start.start()])
        how.append(part[start.start() :])
    return " ".join(q for q in question if q.strip(" ?.!")), " ".join(how)


def _bare(question: str) -> str:
    previous = None
    while previous != question:
        previous = question
        question = _POLITE.sub("", question.strip(" ?.!,")).strip(" ?.!,")
    return clean(question)


def read(text: str, now: float) -> list[Intent] | None:
    question, how = _split(text)
    asked = _bare(question)
    if not asked:
        return None
    form = _form(how)
    if m := _LIST_ASKED.fullmatch(asked):
        which = m["l1"] or m["l2"] or m["l3"] or m["l4"]
        name = which and f"{which} list"
        return [Asked("list", list_name(name), form)]
    if m := _HISTORY_ASKED.fullmatch(asked):
        things = "name" if m["c"] is not None else next(m[g] for g in ("t1", "t2", "t3", "t4", "t5", "b", "h") if m[g])
        subject = _subject(things)
        if subject is None:
            return None
        earlier = bool(re.match(r"what\ (?:was|were)\ my\b", asked, re.I))
        return [Asked("history", subject, form, earlier=earlier)]
    return None
