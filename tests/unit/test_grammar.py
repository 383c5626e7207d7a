"""What `/interactions <text>` means: every kind of text a user may type, and what they get back (the
mistakes as the Slack layer words them)."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from interactions.grammar import (
    DaysNotWhole,
    NameTooDense,
    NameTooLong,
    NeedsRating,
    NoteTooLong,
    UsageError,
    parse,
    without_note,
)
from interactions.model import (
    BIDI_CONTROLS,
    MAX_NAME_CODE_POINTS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PEOPLE,
    Card,
    Clear,
    Export,
    Help,
    Log,
    Mode,
    Person,
    Rated,
    View,
)
from interactions.slack.texts import HELP, USAGE, mistake

CALLER = "UCALLER1"
FAMILY = "\U0001f469\u200d\U0001f466"  # woman, zero-width joiner, boy: one emoji of 3 code points
FAMILY_OF_FOUR = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji of 7 code points
ZALGO_Z = "Z" + "\u0335" * (MAX_NAME_CODE_POINTS - 1)  # one letter under a stack of marks


def mention(user_id: str) -> Person:
    return Person(user_id, mention=True)


def named(name: str) -> Person:
    return Person(name, mention=False)


def logged(*pairs: tuple[Person, int]) -> Log:
    return Log(tuple(Rated(person, rating) for person, rating in pairs))


def parse_error(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse(text, CALLER)
    message = mistake(caught.value.mistake)
    assert message.endswith(USAGE)  # every mistake is followed by how the command goes
    return message


# --- Logging: who was met, and how it went -----------------------------------------------------------

PEOPLE = [
    # a name in double quotes is a name, whatever its words
    ('"Help Desk" +', logged((named("Help Desk"), 1))),
    ('"help" +', logged((named("help"), 1))),
    ('"export" +', logged((named("export"), 1))),
    ('"42" +', logged((named("42"), 1))),
    ("\u201cTime\u201d -", logged((named("Time"), -1))),
    ('"Person"+ "clear" -', logged((named("Person"), 1), (named("clear"), -1))),
    ('"  Random   Guy " +', logged((named("Random Guy"), 1))),
    # quotes inside a longer name are part of it, as typed
    ('Dwayne "The Rock" Johnson +', logged((named('Dwayne "The Rock" Johnson'), 1))),
    ('"The Rock" Johnson -', logged((named('"The Rock" Johnson'), -1))),
    ('Say "hi" +', logged((named('Say "hi"'), 1))),
    # text glued to quotes is one word with them, as typed
    ('Jo"hn"ny +', logged((named('Jo"hn"ny'), 1))),
    ('Jo"hn"ny+', logged((named('Jo"hn"ny'), 1))),
    ('=HYPERLINK("<http://x>","x") -', logged((named('=HYPERLINK("http://x","x")'), -1))),
    ('Ann "B"ob "C" +', logged((named('Ann "B"ob "C"'), 1))),
    ('"Help Desk"+ "x"y -', logged((named("Help Desk"), 1), (named('"x"y'), -1))),
    # a rating between quoted parts ends the word: each quoted name is rated as if typed alone
    ('"Bob"-"Al"+', logged((named("Bob"), -1), (named("Al"), 1))),
    ('"Bob"+"Al" -', logged((named("Bob"), 1), (named("Al"), -1))),
    ('"Bob"-"Al"+"Cy"-', logged((named("Bob"), -1), (named("Al"), 1), (named("Cy"), -1))),
    # inside quotes, line breaks and tabs are spaces, in a longer name as in a quoted name alone
    ('Dwayne "The\nRock" Johnson +', logged((named('Dwayne "The Rock" Johnson'), 1))),
    ('Dwayne "\tThe \r\n Rock " Johnson +', logged((named('Dwayne "The Rock" Johnson'), 1))),
    ('Dwayne"The\nRock" +', logged((named('Dwayne"The Rock"'), 1))),
    ('"The\nRock" +', logged((named("The Rock"), 1))),
    # a link Slack made of a typed URL: its label, or the URL where it has none
    ("<https://guy.example|Random Guy> +", logged((named("Random Guy"), 1))),
    ("<https://guy.example> -", logged((named("https://guy.example"), -1))),
    ("<mailto:guy@example.com|guy@example.com> +", logged((named("guy@example.com"), 1))),
    # Slack mentions, as Slack escapes them
    ("<@U123ABC> +", logged((mention("U123ABC"), 1))),
    ("<@U123ABC|don> +", logged((mention("U123ABC"), 1))),
    ("<@W0ENTERPRISE> -", logged((mention("W0ENTERPRISE"), -1))),
    # a plain @word Slack did not turn into a mention is a free-text name, kept as typed
    ("@don +", logged((named("@don"), 1))),
    # free-text names
    ("Maëlle +", logged((named("Maëlle"), 1))),
    ("O'Brien -", logged((named("O'Brien"), -1))),
    ("李雷 +", logged((named("李雷"), 1))),
    ("Random Guy +", logged((named("Random Guy"), 1))),
    ("Random    Guy +", logged((named("Random Guy"), 1))),
    ("Mae\u0308lle +", logged((named("Maëlle"), 1))),  # decomposed ë: the same person as composed
    ("a" * MAX_NAME_LENGTH + " +", logged((named("a" * MAX_NAME_LENGTH), 1))),
    ("Jean-Luc +", logged((named("Jean-Luc"), 1))),
    ("Jean-Luc-", logged((named("Jean-Luc"), -1))),
    ("Jean-Luc −", logged((named("Jean-Luc"), -1))),
]

RATINGS = [
    ("<@U1> +", logged((mention("U1"), 1))),
    ("<@U1> -", logged((mention("U1"), -1))),
    ("<@U1> \u2212", logged((mention("U1"), -1))),  # minus sign
    ("<@U1> \u2013", logged((mention("U1"), -1))),  # en dash, as phones autocorrect "-"
    ("<@U1>+", logged((mention("U1"), 1))),
    ("<@U1>-", logged((mention("U1"), -1))),
    ("<@U1>\u2212", logged((mention("U1"), -1))),
    ("<@U1>\u2013", logged((mention("U1"), -1))),
    ("Guy-", logged((named("Guy"), -1))),
    ("Guy+", logged((named("Guy"), 1))),
    ("Guy\u2212", logged((named("Guy"), -1))),
    ("Guy \u2013", logged((named("Guy"), -1))),
    ("<@U1>+<@U2>-", logged((mention("U1"), 1), (mention("U2"), -1))),
    ("<@U1> + <@U2> -", logged((mention("U1"), 1), (mention("U2"), -1))),
    ("Ann + Bob -", logged((named("Ann"), 1), (named("Bob"), -1))),
    ("Ann+ Bob-", logged((named("Ann"), 1), (named("Bob"), -1))),
    (
        "@don + <@U2|Maelle> + Random Guy -",
        logged((named("@don"), 1), (mention("U2"), 1), (named("Random Guy"), -1)),
    ),
]

SLACK_ESCAPES = [
    ("A &amp; B +", logged((named("A & B"), 1))),
    ("&lt;x&gt; +", logged((named("<x>"), 1))),
    ("&amp;lt; +", logged((named("&lt;"), 1))),  # the user typed "&lt;" literally
]

ODD_NAMES = [
    # looks like an OData filter: stored literally as a name, nothing more
    ("x' or PartitionKey ne 'y +", logged((named("x' or PartitionKey ne 'y"), 1))),
    ("a/b\\c#d?e +", logged((named("a/b\\c#d?e"), 1))),
    ("🎉 +", logged((named("🎉"), 1))),
    ("Ann 👋🏽 -", logged((named("Ann 👋🏽"), -1))),
    ("Bob\x07 +", logged((named("Bob\x07"), 1))),  # a control character that is not whitespace stays
    ("Bob\r\n+", logged((named("Bob"), 1))),  # line breaks separate words
    ("\tBob\t+\t", logged((named("Bob"), 1))),
    ("Bob\u00a0+", logged((named("Bob"), 1))),  # non-breaking space separates words
    ("`Bob` +", logged((named("`Bob`"), 1))),
    ("<@u123> +", logged((named("<@u123>"), 1))),  # not a Slack user id: just text
]

# Bidi controls are taken out of a name: kept, an override would reverse the text around it wherever the name
# is shown. Zero-width joiners stay: they join emoji.
BIDI_AND_JOINERS = [
    ("Ann\u202eeeL +", logged((named("AnneeL"), 1))),  # else shown as "AnnLee"
    ("Ann \u202e Lee\u202c +", logged((named("Ann Lee"), 1))),
    ("\u2067Ann\u2069 \u200fLee\u200e\u061c -", logged((named("Ann Lee"), -1))),
    ('"\u202dHelp Desk\u202a" +', logged((named("Help Desk"), 1))),
    ('Dwayne "The \u2066Rock\u2069" Johnson -', logged((named('Dwayne "The Rock" Johnson'), -1))),
    ("<https://guy.example|Random \u202bGuy> +", logged((named("Random Guy"), 1))),
    (f"{FAMILY_OF_FOUR} Ann + <@U1|\u202ex> -", logged((named(f"{FAMILY_OF_FOUR} Ann"), 1), (mention("U1"), -1))),
    ("\U0001f3f3\ufe0f\u200d\U0001f308 Team +", logged((named("\U0001f3f3\ufe0f\u200d\U0001f308 Team"), 1))),
    ('"\U0001f469\u200d\U0001f4bb" +', logged((named("\U0001f469\u200d\U0001f4bb"), 1))),
]


@pytest.mark.parametrize(("text", "expected"), PEOPLE + RATINGS + SLACK_ESCAPES + ODD_NAMES + BIDI_AND_JOINERS)
def test_log(text: str, expected: Log) -> None:
    assert parse(text, CALLER) == expected


def test_composed_and_decomposed_names_are_the_same_person() -> None:
    assert parse("Mae\u0308lle +", CALLER) == parse("Ma\u00eblle +", CALLER)


def test_up_to_25_people_at_once() -> None:
    text = " ".join(f"<@U{i}> +" for i in range(MAX_PEOPLE))
    command = parse(text, CALLER)
    assert isinstance(command, Log)
    assert [rated.person for rated in command.entries] == [mention(f"U{i}") for i in range(MAX_PEOPLE)]


def test_up_to_25_free_text_names_at_once() -> None:
    text = " ".join(f"Guest {i} -" for i in range(MAX_PEOPLE))
    command = parse(text, CALLER)
    assert isinstance(command, Log)
    assert len(command.entries) == MAX_PEOPLE


def test_26_people_are_refused() -> None:
    message = parse_error(" ".join(f"<@U{i}> +" for i in range(MAX_PEOPLE + 1)))
    assert "25" in message
    assert "26" in message


# --- Viewing -------------------------------------------------------------------------------------------

VIEWS = [
    ("", View(30, Mode.LIST, None)),
    ("   ", View(30, Mode.LIST, None)),
    ("1", View(1, Mode.LIST, None)),
    ("3650", View(3650, Mode.LIST, None)),
    ("90", View(90, Mode.LIST, None)),
    ("person", View(30, Mode.PERSON, None)),
    ("time", View(30, Mode.TIME, None)),
    ("+", View(30, Mode.LIST, 1)),
    ("-", View(30, Mode.LIST, -1)),
    ("\u2212", View(30, Mode.LIST, -1)),
    ("\u2013", View(30, Mode.LIST, -1)),
    ("90 person", View(90, Mode.PERSON, None)),
    ("person 90", View(90, Mode.PERSON, None)),
    ("90 time +", View(90, Mode.TIME, 1)),
    ("+ time 90", View(90, Mode.TIME, 1)),
    ("- 7 person", View(7, Mode.PERSON, -1)),
    ("PERSON 7 -", View(7, Mode.PERSON, -1)),
    ("Time", View(30, Mode.TIME, None)),
    ("7\tperson\n-", View(7, Mode.PERSON, -1)),
    ("7\u00a0person\u00a0+", View(7, Mode.PERSON, 1)),
    ("  14   time  ", View(14, Mode.TIME, None)),
]


@pytest.mark.parametrize(("text", "expected"), VIEWS)
def test_view(text: str, expected: View) -> None:
    assert parse(text, CALLER) == expected


# --- Clear and help ------------------------------------------------------------------------------------


def could_be_log(text: str) -> str:
    view = parse(text, CALLER)
    assert isinstance(view, View)
    return view.could_be_log


def test_a_view_typed_like_a_log_says_it_might_have_been_one() -> None:
    assert could_be_log("Time -") == '"Time" -'
    assert could_be_log("42 +") == '"42" +'
    assert could_be_log("+ 42") == '"42" +'
    assert not could_be_log("90 person +")
    assert not could_be_log("person")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clear", Clear()),
        ("CLEAR", Clear()),
        (" clear ", Clear()),
        ("help", Help()),
        ("HELP", Help()),
        ("Help\n", Help()),
        ("export", Export()),
        (" Export ", Export()),
    ],
)
def test_keywords(text: str, expected: Clear | Help | Export) -> None:
    assert parse(text, CALLER) == expected


def test_help_text_shows_the_examples_it_promises() -> None:
    assert "/interactions @don +" in HELP
    assert "/interactions clear" in HELP
    assert "/interactions export" in HELP
    assert str(MAX_PEOPLE) in HELP


@pytest.mark.parametrize(
    "told",
    [
        "from 1 to 3650",  # the day range
        "`/interactions 90 person +`",  # options combine
        "per day (up to 14 days), per week (up to 180 days) or per month",  # how `time` picks its buckets
        "ignore case",  # typed names
        "the share of them rated `+`",  # what the percentage counts
        '`/interactions "Help Desk" +`',  # the quoting
    ],
)
def test_help_says_what_a_member_needs_to_know(told: str) -> None:
    assert told in HELP
    # and each example it gives does what it says
    assert parse('"Help Desk" +', CALLER) == logged((named("Help Desk"), 1))
    assert parse("90 person +", CALLER) == View(90, Mode.PERSON, 1)


# --- Mistakes: refused, saying what was wrong ---------------------------------------------------------

MISTAKES = [
    # names
    ("b" * (MAX_NAME_LENGTH + 1) + " +", "b" * 20),
    ("b" * (MAX_NAME_LENGTH + 1) + " +", str(MAX_NAME_LENGTH)),
    # days
    ("0", "`0`"),
    ("3651", "`3651`"),
    ("99999999999", "`99999999999`"),
    ("7 30", "number of days"),
    # view options that contradict each other
    ("person time", "`person` or `time`"),
    ("time 7 person", "`person` or `time`"),
    ("+ -", "`+` or `-`"),
    ("30 - +", "`+` or `-`"),
    # keywords stand alone
    ("help clear", "`help`"),
    ("clear 90", "`clear`"),
    ("clear <@U1> +", "`clear`"),
    ("HELP me", "`help`"),
    ("export 90", "`export`"),
    ("export <@U1> +", "`export`"),
    ("Export Desk +", '`"Export Desk" +`'),
    # a rating must follow a person, and a person needs a rating
    ("+ <@U1>", "`+`"),
    ("- Bob", "`-`"),
    ("<@U1> + +", "One rating per person: <@U1>"),
    ("Alice ++", "One rating per person: `Alice`"),
    ("Alice +-", "One rating per person: `Alice`"),
    # days are whole numbers, whatever else was meant
    ("-5", "Days are a whole number from 1 to 3650; `-5` is not."),
    ("1.5", "`1.5`"),
    ("1,5 person", "`1,5`"),
    ("+7 -", "`+7`"),
    # a name must show something
    ('"" +', "nothing visible"),
    ("\u200b +", "nothing visible"),
    ("\u200b\u200f -", "nothing visible"),
    ("\u202e +", "nothing visible"),
    ("\u200b\u202e\u2066 -", "nothing visible"),
    ('"\u2067\ufeff\u2069" +', "nothing visible"),
    ("\u200d\u2060 \u061c +", "nothing visible"),
    # a keyword refused says how to log a name that starts with it
    ("Help Desk +", '`"Help Desk" +`'),
    ('"The Rock" <@U1> +', "`The Rock` needs a rating"),
    ("clear Smith -", "in quotes"),
    ("Joseph person", "`Joseph person`"),
    ("Joseph", "`Joseph`"),
    ("Ann\u202e Lee", "`Ann Lee` needs a rating"),  # without its bidi controls
    ("<@U1> Bob +", "<@U1>"),
    ("Bob <@U1> +", "`Bob`"),
    ("<@U1> <@U2> +", "<@U1>"),
    ("<@U1> + Bob", "`Bob`"),
    ("7 Bob", "`7 Bob`"),
    # nobody rates themselves
    (f"<@{CALLER}> +", "yourself"),
    (f"<@{CALLER}|me> -", "yourself"),
    (f"<@U1> + <@{CALLER}> +", "yourself"),
    # channels, @here and user groups are not people
    ("<#C123|general> +", "Only people"),
    ("<!here> +", "Only people"),
    ("<!channel> -", "Only people"),
    ("<!subteam^S123|@team> +", "Only people"),
    ("<@U1> + <#C123> +", "Only people"),
]


@pytest.mark.parametrize(("text", "named_in_message"), MISTAKES)
def test_mistakes_are_refused_saying_what_was_wrong(text: str, named_in_message: str) -> None:
    assert named_in_message in parse_error(text)


def test_a_name_of_81_characters_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        parse("c" * 81 + " -", CALLER)
    assert caught.value.mistake == NameTooLong("c" * 20)
    assert "at most 80 characters" in parse_error("c" * 81 + " -")


# --- Names as a person sees them ----------------------------------------------------------------------


def graphemes(text: str) -> list[str]:
    return list(regex.findall(r"\X", text))


def too_long(text: str) -> NameTooLong | NameTooDense:
    with pytest.raises(UsageError) as caught:
        parse(text, CALLER)
    assert isinstance(caught.value.mistake, NameTooLong | NameTooDense)
    return caught.value.mistake


def test_a_name_of_80_emoji_is_80_characters() -> None:
    assert parse(FAMILY * MAX_NAME_LENGTH + " +", CALLER) == logged((named(FAMILY * MAX_NAME_LENGTH), 1))
    assert too_long(FAMILY * (MAX_NAME_LENGTH + 1) + " +") == NameTooLong(FAMILY * 20)


@pytest.mark.parametrize(
    "name",
    [
        ("\U0001f44d\U0001f3fd" + "\U0001f1f3\U0001f1f1" + FAMILY + "1\ufe0f\u20e3") * 21,  # skin tone, flag, keycap
        FAMILY_OF_FOUR * 50,  # fewer than 80 emoji, but more code points than a name may have
        "Zo\u00eb " + "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f" * 46,  # Scotland
    ],
)
def test_the_start_of_a_name_too_long_ends_on_a_whole_character(name: str) -> None:
    start = too_long(name + " -").start
    assert start == "".join(graphemes(name)[:20])
    assert f"`{start}…`" in parse_error(name + " -")


def test_a_name_within_80_characters_but_of_too_many_code_points_says_which_limit() -> None:
    name = FAMILY_OF_FOUR * 46  # 46 characters, of 7 code points each
    assert too_long(name + " +") == NameTooDense(FAMILY_OF_FOUR * 20)
    message = parse_error(name + " +")
    assert "at most 80 characters" not in message
    assert "within 80 characters" in message and "at most 320 pieces" in message


def test_a_character_may_hold_marks_up_to_the_names_code_points() -> None:
    assert parse(ZALGO_Z + " +", CALLER) == logged((named(ZALGO_Z), 1))
    start = too_long(ZALGO_Z + "\u0335 Smith +").start
    assert start.startswith("Z\u0335") and start.endswith(" Smith") and len(start) < 30  # a short message


def test_a_mistake_names_the_person_it_is_about() -> None:
    with pytest.raises(UsageError) as caught:
        parse("<@U0DON> Random Guy +", CALLER)
    assert caught.value.mistake == NeedsRating(mention("U0DON"))


def test_user_text_in_an_error_is_shown_literally() -> None:
    # Slack escapes & < > in what the user typed; the message must escape them again to show them.
    message = parse_error("A &amp; &lt;b&gt;")
    assert "`A &amp; &lt;b&gt;`" in message


@pytest.mark.parametrize(
    ("typed", "echoed"),
    [
        ("1." + "5" * 150_000, "`1." + "5" * 18 + "…`"),
        ("9" * 5000, "`" + "9" * 20 + "…`"),
        ("Random Guy" * 20_000, "`Random GuyRandom Guy…`"),
        ("🇳🇱" * 30 + " 42", "`" + "🇳🇱" * 20 + "…`"),
    ],
)
def test_a_mistake_echoes_a_short_excerpt_of_what_was_typed(typed: str, echoed: str) -> None:
    message = parse_error(typed)
    assert echoed in message
    assert len(message) < 1000


def test_what_a_mistake_echoes_in_full_is_not_marked_cut() -> None:
    with pytest.raises(UsageError) as caught:
        parse("1.5", CALLER)
    assert caught.value.mistake == DaysNotWhole("1.5")
    assert "`1.5`" in parse_error("1.5")


def test_a_huge_number_is_a_usage_error() -> None:
    # Python refuses int() on more than 4300 digits; a 5000-digit "number of days" fits in a slash command.
    with pytest.raises(UsageError):
        parse("9" * 5000, CALLER)


# --- Whatever the text, the answer is a command or a usage message ------------------------------------

WORDS = st.one_of(
    st.sampled_from(["+", "-", "\u2212", "\u2013", "\u2014", "person", "time", "help", "clear", "&amp;", "&lt;"]),
    st.integers(min_value=-5, max_value=10_000).map(str),
    st.from_regex(r"<@[UWu][A-Z0-9]{0,4}(\|[^>]{0,5})?>", fullmatch=True),
    st.from_regex(r"<[#!][^>]{0,6}>", fullmatch=True),
    st.just(f"<@{CALLER}>"),
    st.text(max_size=12),
)


@given(st.one_of(st.text(), st.lists(WORDS, max_size=30).map(" ".join), st.lists(WORDS, max_size=30).map("".join)))
def test_any_text_is_a_command_or_a_usage_error(text: str) -> None:
    try:
        command = parse(text, CALLER)
    except UsageError as error:
        assert mistake(error.mistake).strip()
    else:
        assert isinstance(command, Log | View | Card | Clear | Help | Export)
        if isinstance(command, Log):
            assert 1 <= len(command.entries) <= MAX_PEOPLE
            names = [rated.person.name for rated in command.entries if not rated.person.mention]
            assert all(len(graphemes(name)) <= MAX_NAME_LENGTH for name in names)
            assert all(len(name) <= MAX_NAME_CODE_POINTS for name in names)
            assert not any(c in BIDI_CONTROLS for name in names for c in name)
            assert all(rated.rating in (1, -1) for rated in command.entries)
            assert all(rated.person != mention(CALLER) for rated in command.entries)


# --- One person's card ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("<@U0DON>", mention("U0DON")),
        (" <@U0DON|don> ", mention("U0DON")),
        ('"Random Guy"', named("Random Guy")),
        ("\u201cHelp   Desk\u201d", named("Help Desk")),
        ('"42"', named("42")),
    ],
)
def test_one_person_alone_is_their_card(text: str, person: Person) -> None:
    assert parse(text, CALLER) == Card(person)


def test_a_name_alone_without_quotes_still_needs_a_rating_and_says_how_to_see_the_card() -> None:
    said = parse_error("Random Guy")
    assert "`Random Guy` needs a rating" in said
    assert '`"Random Guy"`' in said
    assert '`"Bob"`' not in parse_error("<@U1> + Bob")  # within a log, a rating is what was missing


def test_a_card_of_yourself_is_refused() -> None:
    assert "yourself" in parse_error(f"<@{CALLER}>")


# --- A log's private note --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0DON> + -- lunch about the budget", Log((Rated(mention("U0DON"), 1),), "lunch about the budget")),
        (
            "<@U0DON> + Random Guy - -- met at  the\nfair",
            Log((Rated(mention("U0DON"), 1), Rated(named("Random Guy"), -1)), "met at the fair"),
        ),
        # the note is all that follows the first `--` after a log, `--`, ratings and names included
        ("Ann + -- Bob + -- Cy -", Log((Rated(named("Ann"), 1),), "Bob + -- Cy -")),
        # inside quotes, `--` is part of a name
        ('"Ann -- Lee" + -- tea', Log((Rated(named("Ann -- Lee"), 1),), "tea")),
        # Slack's markup as the member reads it: a mention stays one, a link or a channel is its label
        (
            "<@U0DON> + -- with <@U0MAELLE|maelle> in <#C1|general>: <https://x.example|the deck> &amp; &lt;3",
            Log((Rated(mention("U0DON"), 1),), "with <@U0MAELLE> in #general: the deck & <3"),
        ),
        ("Ann + -- \u202eevil\u202c", Log((Rated(named("Ann"), 1),), "evil")),  # without bidi controls
        ("Ann + --", logged((named("Ann"), 1))),  # nothing to note: no note
        ("Ann + -- \u200b", logged((named("Ann"), 1))),
    ],
)
def test_a_note_follows_the_log_after_two_hyphens(text: str, expected: Log) -> None:
    assert parse(text, CALLER) == expected


def test_a_note_of_500_characters_is_kept_and_longer_is_refused() -> None:
    assert parse(f"Ann + -- {FAMILY * MAX_NOTE_LENGTH}", CALLER) == Log((Rated(named("Ann"), 1),), FAMILY * 500)
    with pytest.raises(UsageError) as caught:
        parse(f"Ann + -- {'n' * (MAX_NOTE_LENGTH + 1)}", CALLER)
    assert caught.value.mistake == NoteTooLong(MAX_NOTE_LENGTH + 1)
    assert "at most 500 characters; that one has 501" in parse_error(f"Ann + -- {'n' * 501}")


@pytest.mark.parametrize(
    ("text", "named_in_message"),
    [
        ("<@U0DON> -- lunch", "goes with a log"),  # a card takes no note
        ("90 person -- lunch", "goes with a log"),
        ("Ann -- lunch", "`Ann` needs a rating"),  # what is wrong with the log the note follows
    ],
)
def test_a_note_without_a_log_is_refused(text: str, named_in_message: str) -> None:
    assert named_in_message in parse_error(text)


def test_help_shows_the_card_and_the_note() -> None:
    assert "`/interactions @don`" in HELP
    assert "`/interactions @don + @Maelle - -- lunch about the budget`" in HELP
    assert parse("<@U0DON> + <@U0MAELLE> - -- lunch about the budget", CALLER) == Log(
        (Rated(mention("U0DON"), 1), Rated(mention("U0MAELLE"), -1)), "lunch about the budget"
    )


NOTED = st.one_of(WORDS, st.sampled_from(["--", '"--"', "-- x", '"a -- b"', "\u2014", "Ann", '"Ann"']))


@given(st.one_of(st.lists(NOTED, max_size=20).map(" ".join), st.lists(NOTED, max_size=12).map("".join)))
def test_what_parses_without_a_note_parses_the_same_with_notes(text: str) -> None:
    try:
        before = without_note(text, CALLER)
    except UsageError:
        try:
            command = parse(text, CALLER)
        except UsageError:
            return
        # a command only a note makes: a log, read from the words before a `--` of the text
        assert isinstance(command, Log)
        assert "--" in text
    else:
        assert parse(text, CALLER) == before
        assert not isinstance(before, Log) or before.note is None


@given(st.lists(WORDS, max_size=30).map(" ".join))
def test_no_text_typed_before_notes_holds_the_note_mark(text: str) -> None:
    # Two hyphens as a word are two ratings in a row, which no command reads: the mark takes nothing from one.
    with pytest.raises(UsageError):
        without_note(f"{text} --", CALLER)
    with pytest.raises(UsageError):
        without_note(f"-- {text}", CALLER)
