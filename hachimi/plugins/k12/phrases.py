"""Seed + pronoun -> the template engine's k12 prose: scaffold clauses and short texts (personality,
relationships, background, supports, radar summary) composed from phrase banks, so that thousands
of personas of one quota cell are not near-duplicates of each other (hachimi/dedup: SimHash of
character 3-grams over every compared field).

Every English text is written the way the decoding grammar (generate/grammar.py, scaffold.py)
lets a model write it: a scaffold clause is 3-9 lower-case words of the frequent-word lexicon
(generate/lexicon.py), none of them a level word; a short text is sentences of an opener from
lexicon.OPENERS and 2-11 such words. Other people are named by role, never by a pronoun, so the
only pronouns are the student's own (the scaffold's possessive: Her / His / Their).

Variety comes from composition (person x verb x occasion x frame ...) and from a theme drawn once
per call (an event, a person, a hobby, a place) that several sentences of the part come back to:
a part's own words then outweigh the words every part shares."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


_AN = re.compile(r"\b([Aa]) (?=[aeiou])")  # "a art teacher" -> "an art teacher"


def _bank(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|") if x.strip())


# ---- English banks (lower-case words of the frequent-word lexicon, no level words) ------------------
ONE = _bank("a|one|{his}|the|that|a new|an older|a young")  # + ROLE: one person
ROLE = _bank(  # many head nouns: a part repeats its theme person, so shared heads make parts alike
    "coach|art teacher|music teacher|club leader|team captain|camp leader|class teacher|bus driver|"
    "family friend|close friend|team manager|club director|school cook|school guard|local artist|"
    "young writer|older player|band singer|class editor|contest judge|tour guide|study partner|"
    "show host|school actor|book author|class officer|head assistant|class chief|sports director"
)
MANY = _bank("two|some|several|three|four|many|older|younger|other|six|five")  # + ROLES: people
ROLES = _bank("friends|students|parents|teachers|club members|team members|kids|staff members|players|leaders")
PEOPLE = (
    tuple(f"{q} {r}" for q in ONE for r in ROLE)
    + tuple(f"{q} {r}" for q in MANY for r in ROLES)
    + _bank("mom and dad|{his} mom|{his} dad|{his} parents|the principal|school staff|library staff|everyone in class")
)
SAW = _bank(
    "noticed it|saw it|noted that|mentioned it|talked about it|wrote about it|described it|brought it up|"
    "agreed|shared that|said so|felt so|reported it|found that|spoke of it|knew it|thought so|said as much|"
    "liked that|made a note"
)
DET = _bank("the|that|this|one|a|each|every|our")
PREP = _bank("during|after|before|at|since|around")
WHEN = _bank(
    "last term|after class|at lunch|this spring|last week|on a bus ride home|over summer|during a break|"
    "before a test|on a weekend|every morning|each evening|this year|last winter|after school|early in term|"
    "during a holiday|in a library|at a school door|on sports day|in late fall|in early spring|at night"
)
MOD = _bank(  # + EVENT: an event ("spring concert", "river walk")
    "spring|summer|winter|school|class|weekly|first|big|local|annual|new|long|early|city|town|open|family|"
    "friday|monday|sunday|evening|morning|river|park|village|youth|science|art|music|history|sports|book|"
    "garden|film|space|animal|water|nature|food|dance|story|photo|computer|radio|news|student|kids"
)
EVENT = _bank(
    "tournament|assembly|campaign|contest|match|league|festival|party|dinner|market|sale|concert|session|"
    "program|challenge|exchange|tour|journey|cup|final|race|camp|show|trip|visit|walk|ride|study|survey|"
    "launch|play|movie|reading|debate|vote|election|award|mission|review|project|meeting|"
    "club|game|week|day|night|season"
)
DID = _bank(
    "helped plan|led|joined|planned|worked on|spoke at|read a story at|played in|built a model for|"
    "made a video for|took photos at|wrote a story for|played music at|gave a talk at|helped clean up after|"
    "set up a room for|kept notes at|made signs for|made pictures for|chose music for|"
    "asked questions at|found a new idea at|tried something new at|stayed late after|came early to|"
    "ran a stand at|made food for|sold cards at|made a map for|kept score at|opened|ran|opened up|"
    "designed a flag for|wrote a song for|brought water to|looked after a guest at|fixed lights for|"
    "checked votes at|won a prize at|missed the bus to|wrote a report on|recorded music at"
)
ABOUT = _bank(
    "it showed {occ}|it came up {occ}|this was clear {occ}|you could see it {occ}|everyone saw it {occ}|"
    "it stood out {occ}|a class saw it {occ}|it was easy to see {occ}|it first showed {occ}|all saw it {occ}"
)
HOBBY = _bank(
    "drawing|reading stories|playing football|playing basketball|singing|dancing|building models|"
    "writing stories|watching films|taking photos|playing music|playing games|board games|running|"
    "making videos|reading books|painting|dance music|the garden|walking|the school band|space stories|"
    "nature films|animal books|card games|science videos|old songs|computer games|history books"
)
ADJ = _bank(
    "quiet|calm|careful|kind|honest|friendly|funny|active|patient|smart|creative|warm|open|loud|proud|"
    "cool|tough|wise|busy|happy|sweet|nice|positive|focused|determined|dedicated|organized|bright|"
    "easy going|hard working|worried|lovely|social|excited|quick"
)
FEW = _bank("two|three|four|five|a few|several|many|some")
CLUB = _bank(
    "art club|football team|reading club|school band|science club|drama club|dance group|study group|"
    "photo club|music group|book club|running club|computer club|garden club|film club"
)
RELATIVE = _bank(
    "parents|mother|father|parents and a younger brother|mother and an older sister|father and an older brother|"
    "parents and a baby sister|mother and two brothers|father and a younger sister|parents and two brothers"
)
PLACE = _bank(
    "in a small town|in the city|in a village|near the school|by the river|near a park|on a busy street|"
    "in an apartment|in an old house|near the train station|close to the lake|on the edge of town|"
    "in a new part of the city|near a mountain|next to a market"
)
TOPIC = _bank(
    "a game|the team|a group project|a seat|a book|the class vote|a joke|a ball game|the music|"
    "a lost book|a class role|the school play|a card game|a science test|a team photo"
)
FACETS = _bank("ideas|plans|questions|pictures|stories|models|answers|projects|notes|results")

# ---- English frames (the slots above; {p.*}: the student's pronoun forms) ---------------------------
CLAUSES = _bank(  # each names the call's theme event, most its theme person too
    "{person} {saw} {occ}|{occ}, {person} {saw}|{person} first {saw} {occ}|{event} {proved} to {person}|"
    "{he} {did} {event} with {person}|{person} and {he} {did} {event}|{person} asked {him} about {event}|"
    "{about}|{event} {proved}|{he} {did} {event}|{he} {did} {event} {when}|as {person} {saw} {occ}|"
    "{facets} for {event} {proved}|you see it in {his} {facets} for {event}|{occ}, {he} and {person} talked"
)
PROVED = _bank(
    "showed it|made it clear|brought it out|was one example|said a lot|was proof of it|showed as much|"
    "gave an example|was a clear sign|made the point|told the story|put it on show|was the start of it"
)
PERSONALITY = _bank(
    "{He} {is} {adj} and {adj}, and {he} like{s} {hobby}.|In class {he} {is} {adj}, but with friends {he} {is} {adj}.|"
    "At home {he} {is} {adj} and {adj}, and {he} love{s} {hobby}.|Most days {he} {is} {adj} and {adj} with others.|"
    "{He} {is} {adj} in class and love{s} {hobby} at home.|With new people {he} {is} {adj}, then {adj}.|"
    "{He} {is} {adj} and {adj} and often talk{s} about {hobby}.|Some days {he} {is} {adj}, other days {adj}.|"
    "When things change {he} {is} {adj}, and {he} like{s} {hobby}.|{He} {is} {adj} and {adj}, a student who likes {hobby}."
)
CIRCLE = _bank(
    "{He} {has} {few} close friends in {his} class.|Most of {his} friends are from the {club}.|"
    "At lunch {he} {is} with {few} friends from the {club}.|{He} get{s} along with most students in {his} class.|"
    "{He} {has} {few} friends and one close friend from the {club}.|After school {he} {is} often with the {club}.|"
    "{His} friends are mostly from the {club} and {his} street.|In class {he} work{s} best with {few} other students."
)
EVENTS = _bank(
    "After a fight over {topic}, {he} learned to listen first.|When {his} team lost at {event}, {he} helped everyone calm down.|"
    "Last term a friend moved away, and {he} found new friends in the {club}.|Since {event}, {he} and {his} friends work together more.|"
    "After an argument about {topic}, {he} said sorry and they made up.|At {event}, {he} helped a new student join in.|"
    "Once a friend was upset about {topic}, and {he} stayed to help.|At {event} {he} met a friend who shares {his} love of {hobby}.|"
    "When the {club} needed help with {topic}, {he} took the lead.|After {topic} went wrong, {he} and a friend fixed it together."
)
BACKGROUND = _bank(
    "{He} live{s} with {his} {relative} {place}.|{His} family came to live {place} when {he} {was} small.|"
    "{He} and {his} {relative} walk to school every morning.|At home {he} help{s} {his} {relative} after school.|"
    "Since last year {he} {has} lived {place} with {his} {relative}.|"
    "{He} grew up {place}, and {his} family still lives there."
)
SUPPORTS = _bank(
    "{His} class teacher and {his} {relative} help {him} when things get hard.|{He} can talk to {person} and a close friend.|"
    "{His} {relative} and {few} friends from the {club} support {him}.|The class teacher talks with {him} every week.|"
    "When {he} {is} worried, {he} talk{s} to {person}.|{His} friends in the {club} and {his} {relative} listen to {him}.|"
    "Most days {person} and {his} {relative} are there for {him}."
)
RADAR = _bank(
    "{His} {facets} show real strength, with room to grow.|{He} {has} clear strength, and some parts still need work.|"
    "Some parts of {his} creative work stand out, others need practice.|{His} {facets} change a lot from one task to the next."
)

PRONOUNS = {  # the scaffold's possessive -> the student's pronoun forms (and verb agreement)
    "Her": {"he": "she", "his": "her", "him": "her", "is": "is", "was": "was", "has": "has", "s": "s"},
    "His": {"he": "he", "his": "his", "him": "him", "is": "is", "was": "was", "has": "has", "s": "s"},
    "Their": {"he": "they", "his": "their", "him": "them", "is": "are", "was": "were", "has": "have", "s": ""},
    "她": {"he": "她", "his": "她的", "him": "她"},
    "他": {"he": "他", "his": "他的", "him": "他"},
}
ZH_HEAD = _bank(
    "这在班级活动中看得出来|老师在评语里也提到了这一点|{he}这学期还在努力|同学们也常这样评价{him}|"
    "这一点在小组合作时最明显|{his}班主任也这样说|家长会上老师提到过|{he}在运动会上也是这样|"
    "{he}在课堂讨论中表现出来|这在春游时看得很清楚|{his}同桌也注意到了|{he}在社团活动里也是这样"
)
ZH_TAIL = _bank(
    "大家都看在眼里|{he}自己也知道|老师也这样认为|{he}还想做得更好|家里人也这么看|这学期变化不大|"
    "{he}常常和朋友聊起|同学们都记得|{he}也在慢慢调整|这一点很少改变"
)
CLAUSE_WORDS = (3, 9)  # scaffold clause words (generate/scaffold.CLAUSE_WORDS)
SENTENCE_WORDS = (3, 12)  # words of a short text's sentence, its opener included (grammar.en_sentence)


@dataclass
class Theme:
    """What one call's prose keeps coming back to, drawn once from the banks."""

    person: str
    event: str
    when: str
    did: str
    hobby: str
    club: str
    relative: str
    place: str


def theme(rng: random.Random) -> Theme:
    pick = rng.choice
    return Theme(
        pick(PEOPLE), f"{pick(MOD)} {pick(EVENT)}", pick(WHEN), pick(DID), pick(HOBBY), pick(CLUB),
        pick(RELATIVE), pick(PLACE),
    )  # fmt: skip


class Writer:
    """The prose of one call: a slot takes the theme's value with probability `stick`, else a fresh
    one (always fresh once a frame has not fitted its word budget with the theme's)."""

    def __init__(self, rng: random.Random, who: str | None, stick: float = 0.9):
        self.rng, self.theme, self.stick = rng, theme(rng), stick
        self.forms = PRONOUNS.get(who or "", PRONOUNS["Their"])

    def _fill(self, frame: str, stick: float) -> str:
        r = self.rng

        def s(name: str, bank: tuple[str, ...]) -> str:
            return getattr(self.theme, name) if r.random() < stick else r.choice(bank)

        def event() -> str:
            return f"{r.choice(DET)} {self.theme.event if r.random() < stick else f'{r.choice(MOD)} {r.choice(EVENT)}'}"

        occ = f"{r.choice(PREP)} {event()}"
        values = {
            "person": s("person", PEOPLE), "when": s("when", WHEN), "did": s("did", DID), "hobby": s("hobby", HOBBY),
            "club": s("club", CLUB), "relative": s("relative", RELATIVE), "place": s("place", PLACE),
            "event": event(), "occ": occ, "about": r.choice(ABOUT).replace("{occ}", occ), "saw": r.choice(SAW),
            "proved": r.choice(PROVED), "topic": r.choice(TOPIC), "few": r.choice(FEW), "facets": r.choice(FACETS),
            "adj": "{adj}", "He": "{He}", "His": "{His}", **{k: f"{{{k}}}" for k in self.forms},
        }  # fmt: skip
        text = frame.format(**values)
        while "{adj}" in text:
            text = text.replace("{adj}", r.choice(ADJ), 1)
        forms = {**self.forms, "He": self.forms["he"].capitalize(), "His": self.forms["his"].capitalize()}
        return _AN.sub(r"\1n ", text.format(**forms))

    def _words(self, bank: tuple[str, ...], lo: int, hi: int) -> str:
        for attempt in range(60):
            text = self._fill(self.rng.choice(bank), self.stick if attempt < 20 else 0.0)
            if lo <= len(text.split()) <= hi:
                return text
        raise RuntimeError(f"no text of {lo}-{hi} words from {bank[:2]}...")  # a bank error, never data

    def clause(self) -> str:
        """A scaffold clause (3-9 words)."""
        return self._words(CLAUSES, *CLAUSE_WORDS)

    def text(self, bank: tuple[str, ...], sentences: int = 1) -> str:
        """`sentences` sentences from `bank` (each an opener and 2-11 words)."""
        return " ".join(self._words(bank, *SENTENCE_WORDS) for _ in range(sentences))

    def relationships(self, sentences: int) -> str:
        first = self._words(CIRCLE, *SENTENCE_WORDS)
        return first if sentences < 2 else f"{first} {self._words(EVENTS, *SENTENCE_WORDS)}"

    def zh_clause(self) -> str:
        head = self.rng.choice(ZH_HEAD)
        text = head if self.rng.random() < 0.3 else f"{head}，{self.rng.choice(ZH_TAIL)}"
        return text.format(**self.forms)


def sample(language: str, n: int, seed: int = 0) -> list[str]:
    """n clauses the template writes, pronouns left as {he} / {his} / {him} (for checks)."""
    w = Writer(random.Random(seed), "Her")
    w.forms = {**w.forms, "he": "{he}", "his": "{his}", "him": "{him}"}
    return [w.zh_clause() if language == "zh" else w.clause() for _ in range(n)]
