"""The placeholder renderer: properties over arbitrary input, and the documented cases."""

from hypothesis import given, settings, strategies as st

from assistant.templates.render import UNRESOLVED, VALUE, placeholders, render

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
# text made of the syntax's own pieces, so the generator hits the interesting cases often
pieces = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["{{", "}}", "{", "}", "|", "#", "/", " ", "{{#s}}", "{{/s}}", "{{/t}}"]),
    names.map(lambda n: "{{" + n + "}}"),
    st.tuples(names, st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=5)).map(
        lambda p: "{{" + p[0] + "|" + p[1] + "}}"),
)
template_text = st.lists(pieces, max_size=25).map("".join)
value_text = st.one_of(st.text(max_size=12), template_text)


@settings(max_examples=200, deadline=None)
@given(template_text, st.dictionaries(names, value_text, max_size=5),
       st.dictionaries(names, st.booleans(), max_size=3))
def test_never_raises_and_segments_rebuild_the_text(text, values, sections):
    result = render(text, values, sections)
    assert isinstance(result.text, str)
    assert "".join(s.text for s in result.segments) == result.text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.dictionaries(names, value_text, max_size=3))
def test_substituted_values_are_never_re_expanded(prefix, suffix, others):
    # whatever the value contains (placeholders included), it appears verbatim
    value = "{{secret}} {{x|y}} {{#s}}{{/s}} " + suffix
    values = {**others, "v": value, "secret": "LEAK"}
    result = render("{{v}}", values)
    assert result.text == value
    assert "LEAK" not in result.text
    assert [s.kind for s in result.segments] == [VALUE]


@settings(max_examples=150, deadline=None)
@given(names, st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20),
       st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20))
def test_unknown_names_stay_visible_and_are_reported(name, before, after):
    text = before + "{{" + name + "}}" + after
    result = render(text, {})
    assert result.text == text
    assert result.unresolved == [name]
    [(start, end, found)] = result.unresolved_spans()
    assert result.text[start:end] == "{{" + name + "}}" and found == name
    assert any(s.kind == UNRESOLVED for s in result.segments)


def test_documented_cases():
    assert render("Hi {{ name }}!", {"name": "Ana"}).text == "Hi Ana!"
    assert render("Hi {{name|there}}!", {}).text == "Hi there!"
    assert render("Hi {{name|there}}!", {"name": ""}).text == "Hi there!"
    assert render("Hi{{name|}}!", {}).text == "Hi!"
    assert render("{{a}}{{b}}", {"a": "{{", "b": "b}}"}).text == "{{b}}"  # values never joined into syntax
    # no attribute access, no expressions, nothing called: such text is plain text
    for text in ["{{ name.__class__ }}", "{{ 1+1 }}", "{{name()}}", "{name}", "{0}", "$name", "{% if x %}"]:
        result = render(text, {"name": "Ana"})
        assert result.text == text and result.unresolved == []


def test_sections_ticked_in_and_out_and_nested():
    text = "A{{#x}} B{{#y}} C{{/y}}{{/x}} D"
    assert render(text, {}, {}).text == "A B C D"
    assert render(text, {}, {"x": False}).text == "A D"
    assert render(text, {}, {"y": False}).text == "A B D"
    hidden = render("{{#x}}{{missing}}{{/x}}ok", {}, {"x": False})
    assert hidden.text == "ok" and hidden.unresolved == []


def test_unbalanced_markers_stay_visible():
    result = render("{{#x}} open {{/y}} end", {}, {"x": False})
    assert result.text == "{{#x}} open {{/y}} end"
    assert len(result.problems) == 2


def test_placeholders_listing():
    assert placeholders("{{a}} {{#s}}{{b|c}}{{/s}} {{a}}") == ["a", "b"]


def test_visible_names_skip_ticked_out_sections_and_keep_empty_fallbacks():
    result = render("{{a|}} {{#s}}{{b}}{{/s}} {{c}}", {"c": "1"}, {"s": False})
    assert result.visible == ["a", "c"]


def test_an_empty_optional_value_takes_its_space_and_punctuation_with_it():
    cases = {
        "Hello {{name|}},": "Hello,",                  # the starter skeleton, no name known
        "Hello, {{name|}}!": "Hello!",
        "Hi, {{name|}}, how are you?": "Hi, how are you?",
        "Thanks, {{name|}}\nBye": "Thanks\nBye",
        "Dear {{title|}} {{name}}": "Dear Ana",
        "{{name|}}, thanks for calling.": "Thanks for calling.",
        "Hi\n{{name|}}, thanks": "Hi\nThanks",
        "Order {{id|}}.": "Order.",
        "a {{x|}} {{y|}} b": "a b",
    }
    for text, expected in cases.items():
        assert render(text, {"name": "Ana"} if "{{name}}" in text else {}).text == expected, text
    # a value that is there keeps everything
    assert render("Hello {{name|}},", {"name": "Ana"}).text == "Hello Ana,"
    # a fallback with text, and a missing value without one, are not gaps
    assert render("Hello {{name|there}},", {}).text == "Hello there,"
    assert render("Hello {{name}},", {}).text == "Hello {{name}},"


words = st.from_regex(r"[a-z]{1,6}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(words, st.sampled_from([" ", ", "]), st.booleans()), min_size=1, max_size=6),
       st.sampled_from(["", ".", "!", ","]))
def test_gaps_never_leave_a_space_before_punctuation_nor_two_spaces(parts, end):
    text = " ".join(word + (sep + "{{opt|}}" if gap else "") for word, sep, gap in parts) + end
    result = render(text, {}).text
    assert "  " not in result and not any(f" {p}" in result for p in ",.!")
    assert ",," not in result and "{{" not in result
