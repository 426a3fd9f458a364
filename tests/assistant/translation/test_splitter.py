import pytest

from assistant.translation.splitter import sentence_spans, split_sentences


@pytest.mark.parametrize("text, expected", [
    ("Thank you for your patience. Your order has been shipped.",
     ["Thank you for your patience.", "Your order has been shipped."]),
    ("Where is it?! I paid already...  Please help", ["Where is it?!", "I paid already...", "Please help"]),
    ("Dr. Smith will call you. Mr. J. Brown too.", ["Dr. Smith will call you.", "Mr. J. Brown too."]),
    ("See e.g. the manual. It helps.", ["See e.g. the manual.", "It helps."]),
    ("Order No. 12345 is late. Sorry.", ["Order No. 12345 is late.", "Sorry."]),
    ("The price is 24.50 euros. OK?", ["The price is 24.50 euros.", "OK?"]),
    ("He said \"no.\" Then he left.", ["He said \"no.\"", "Then he left."]),
    ("我很好。谢谢！", ["我很好。", "谢谢！"]),
    ("¿Dónde está mi pedido? ¡Gracias!", ["¿Dónde está mi pedido?", "¡Gracias!"]),
    ("", []),
    ("   ", []),
    ("no punctuation at all", ["no punctuation at all"]),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_spans_exclude_whitespace_between_sentences():
    text = "  One.   Two!  "
    assert [text[a:b] for a, b in sentence_spans(text)] == ["One.", "Two!"]
    assert sentence_spans(text) == [(2, 6), (9, 13)]
