"""Tagged text, the form translators see and edit ("<1>bold</1>", "<2/>"), and the words QA gives
for a target whose codes are not the source's (``align.codes``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.codes import Code, CodeKind, code_problems, tagged, untagged

P, S = CodeKind.PAIRED, CodeKind.STANDALONE


def test_codes_are_written_as_numbered_tags():
    codes = (Code("1", P, 0, 4), Code("2", S, 9, 9))
    assert tagged("bold and x", codes) == "<1>bold</1> and <2/>x"
    assert untagged("<1>bold</1> and <2/>x") == ("bold and x", codes)


@pytest.mark.parametrize(
    "text",
    [
        "a < b and c > d",
        "<b>bold</b> and </i> and <br/>",
        "<h1>Title</h1>",
        "x<y, 3 < 4",
        "C:\\Users\\me\\",
        "<",
        "<<>>",
        "< 1>",
        "<1 >",
        "<١>",  # an Arabic-Indic digit is not a tag number
    ],
)
def test_ordinary_text_is_left_as_it_is(text):
    assert tagged(text, ()) == text
    assert untagged(text) == (text, ())


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("<1>", "\\<1>"),
        ("a </22> b", "a \\</22> b"),
        ("<3/>", "\\<3/>"),
        ("\\<b>", "\\\\<b>"),
        ("\\\\<1>", "\\\\\\\\\\<1>"),
    ],
)
def test_text_that_looks_like_a_tag_is_escaped_and_read_back_as_text(text, written):
    assert tagged(text, ()) == written
    assert untagged(written) == (text, ())


def test_a_backslash_before_a_code_is_kept():
    codes = (Code("1", S, 3, 3),)
    marked = tagged("C:\\", codes)
    assert marked == "C:\\\\<1/>"
    assert untagged(marked) == ("C:\\", codes)


def test_empty_and_nested_paired_codes():
    codes = (Code("1", P, 0, 0), Code("2", P, 1, 5), Code("3", P, 2, 4), Code("4", S, 4, 4))
    marked = tagged("abcdef", codes)
    assert marked == "<1></1>a<2>b<3>cd</3><4/>e</2>f"  # a code where <3> ends is outside it
    assert untagged(marked) == ("abcdef", codes)


@pytest.mark.parametrize(
    ("marked", "reason"),
    [
        ("<1>a<2>b</1>c</2>", "</1>"),
        ("a</1>", "</1>"),
        ("<1>a", "<1>"),
        ("<1>a</2>", "</2>"),
    ],
)
def test_unbalanced_or_crossing_tags_are_a_one_line_value_error(marked, reason):
    with pytest.raises(ValueError, match=reason) as err:
        untagged(marked)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "codes",
    [
        (Code("1", P, 0, 3), Code("2", P, 2, 5)),  # crossing
        (Code("b", P, 0, 1),),  # not a number
        (Code("1", P, 0, 9),),  # past the text
        (Code("1", S, 0, 2),),  # a standalone code with a span
        (Code("1", S, 3, 3), Code("2", S, 1, 1)),  # out of document order
    ],
)
def test_codes_that_tags_cannot_hold_are_a_value_error(codes):
    with pytest.raises(ValueError):
        tagged("abcdef", codes)


# ---- the property: any text, any well-nested codes, back unchanged ----------------------------------
_ALPHABET = st.sampled_from(list("ab <>/\\0123 ") + ["<1>", "</2>", "<3/>", "\\<", "ü"])


@st.composite
def texts_and_codes(draw) -> tuple[str, tuple[Code, ...]]:
    """A random tree of text pieces and codes, flattened to the text and its codes in the order
    of their opening tags (document order), with their offsets."""
    text: list[str] = []
    codes: list[Code] = []
    numbers = iter(draw(st.permutations(range(1, 40))))

    def length() -> int:
        return sum(map(len, text))

    def node(depth: int) -> None:
        for _ in range(draw(st.integers(0, 3))):
            choice = draw(st.integers(0, 3 if depth < 3 else 1))
            if choice <= 1:
                text.append("".join(draw(st.lists(_ALPHABET, max_size=4))))
            elif choice == 2:
                codes.append(Code(str(next(numbers)), S, length(), length()))
            else:
                index, start = len(codes), length()
                codes.append(Code("?", P, start, start))
                node(depth + 1)
                codes[index] = Code(str(next(numbers)), P, start, length())

    node(0)
    return "".join(text), tuple(codes)


@hsettings(max_examples=400, deadline=None)
@given(texts_and_codes())
def test_untagged_reads_back_what_tagged_wrote(case):
    text, codes = case
    assert untagged(tagged(text, codes)) == (text, codes)


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/\\12 ab")), max_size=30))
def test_any_plain_text_survives(text):
    assert untagged(tagged(text, ())) == (text, ())


def test_a_long_run_of_backslashes_is_read_in_linear_time():
    text = "\\" * 200_000 + "x<" + "\\" * 200_000
    assert untagged(tagged(text, ())) == (text, ())


# ---- code_problems ------------------------------------------------------------------------------------
SOURCE = (Code("1", P, 0, 4), Code("2", S, 9, 9))


def test_a_target_with_the_sources_codes_has_no_problems():
    moved = (Code("2", S, 0, 0), Code("1", P, 3, 8))
    assert code_problems(SOURCE, moved) == ()


def test_missing_extra_and_kind_problems_in_words():
    assert code_problems(SOURCE, (Code("1", P, 0, 2),)) == ("missing code <2/>",)
    assert code_problems(SOURCE, (*SOURCE, Code("5", P, 1, 2))) == ("extra code <5>",)
    assert code_problems(SOURCE, (Code("1", S, 0, 0), Code("2", S, 1, 1))) == (
        "code <1> is paired in the source, standalone (<1/>) in the target",
    )
    assert code_problems(SOURCE, (*SOURCE, Code("2", S, 2, 2))) == ("extra code <2/>",)


def test_a_target_with_no_text_yet_has_no_problems():
    assert code_problems(SOURCE, (), target="") == ()
    assert code_problems(SOURCE, (), target="  ") == ()
    assert code_problems(SOURCE, (), target="Fett") == ("missing code <1>", "missing code <2/>")


def test_target_codes_left_outside_an_edited_text_are_a_problem():
    stale = (Code("1", P, 0, 4), Code("2", S, 9, 9))
    (problem,) = code_problems(SOURCE, stale, target="Fett")
    assert problem.startswith("the target's tags do not fit its text (code 2 at 9..9 is outside")
