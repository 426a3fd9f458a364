"""What a call pop may carry: customer text only, plain and capped (assistant.integration.links)."""

import pytest

from assistant.customer import session
from assistant.errors import UserError
from assistant.integration.links import (MAX_CUSTOMER_CHARS, MAX_LINK_CHARS, LinkError, customer_from_link,
                                         customer_text, customer_from_argument, link_for)


def test_a_customer_link_carries_the_text_the_customer_bar_reads():
    text = customer_from_link("agent-assistant://customer?q=Luc%C3%ADa%2C%20%2B52%2055%201234%205678")
    assert text == "Lucía, +52 55 1234 5678"
    context = session.read_customer(text)
    assert context.name == "Lucía" and context.country == "MX"


@pytest.mark.parametrize("link", [
    "agent-assistant://customer?q=Tokyo",
    "AGENT-ASSISTANT://Customer?q=Tokyo",
    "agent-assistant://customer/?q=Tokyo",
    "agent-assistant://customer?q=Tok%79o",
    "agent-assistant://customer?q=Tokyo+",  # form encoding: + is a space
])
def test_spellings_of_the_same_link(link):
    assert customer_from_link(link) == "Tokyo"


def test_link_for_reads_back():
    text = "Zoë O'Brien & co, +353 1 234 5678"
    assert customer_from_link(link_for(text)) == text


@pytest.mark.parametrize("link", [
    "agent-assistant://settings?q=Tokyo",                 # another host
    "agent-assistant://customer/delete?q=Tokyo",          # a path
    "agent-assistant://customer?q=Tokyo&pin=1",           # another parameter
    "agent-assistant://customer?q=Tokyo&q=Paris",         # twice
    "agent-assistant://customer?Q=Tokyo",
    "agent-assistant://customer?q=Tokyo#x",               # a fragment
    "agent-assistant://customer#?q=Tokyo",
    "agent-assistant://user@customer?q=Tokyo",            # user info
    "agent-assistant://customer:80?q=Tokyo",              # a port
    "agent-assistant://customer:x?q=Tokyo",
    "agent-assistant:customer?q=Tokyo",                   # no host
    "agent-assistant://customer",                         # nothing to set
    "agent-assistant://customer?q=",
    "agent-assistant://customer?q=%20%0A%09",
    "agent-assistant://customer?q",
    "file:///etc/passwd",
    "file://customer?q=Tokyo",
    "https://customer?q=Tokyo",
    "javascript:alert(1)",
    "data:text/plain,Tokyo",
    "agent-assistant://customer?q=Tokyo\n&pin=1",         # raw control characters
    "agent-assistant://customer?q=Tok yo",                # raw space
    "agent-assistant://customer?q=%FF%FE",                # not UTF-8
    "agent-assistant://customer?q=" + "9" * (MAX_LINK_CHARS + 1),
    "agent-assistant://customer?q=" + "%41" * (MAX_CUSTOMER_CHARS + 1),
    "tel:",
    "tel:call-me-maybe",
    "tel:+1%0A234567",
    "callto://echo123",                                   # a Skype name is not a number
    "callto:../../etc",
    "",
])
def test_hostile_or_foreign_links_are_refused(link):
    with pytest.raises(LinkError) as raised:
        customer_from_link(link)
    assert isinstance(raised.value, UserError)


def test_a_huge_link_is_refused_before_it_is_parsed():
    with pytest.raises(LinkError, match="too long"):
        customer_from_link("agent-assistant://customer?q=" + "%41" * 1_000_000)


@pytest.mark.parametrize("link, number", [
    ("tel:+81-3-1234-5678", "+81-3-1234-5678"),
    ("tel:+1-201-555-0123;ext=12", "+1-201-555-0123"),
    ("tel:7042;phone-context=example.com", "7042"),
    ("TEL:%2B44%2020%207946%200958", "+44 20 7946 0958"),
    ("callto:+4915123456789", "+4915123456789"),
    ("callto://+4915123456789", "+4915123456789"),
])
def test_phone_links_carry_the_number(link, number):
    assert customer_from_link(link) == number


def test_customer_text_is_made_plain():
    # bidi overrides, zero-width and control characters go; breaks and tabs become spaces
    assert customer_text("\u202eAna\u202c,\t+34\u200b 612\n345 678\x1b[2J") == "Ana, +34 612 345 678[2J"
    assert customer_text("  Lucía  ") == "Lucía"
    assert customer_text("東京") == "東京"


@pytest.mark.parametrize("text", ["", "   ", "\u202e\u200b\x00", "x" * (MAX_CUSTOMER_CHARS + 1),
                                  "y" * 10_000_000])
def test_customer_text_refuses_empty_or_long(text):
    with pytest.raises(LinkError):
        customer_text(text)


def test_the_cap_counts_what_is_left():
    assert customer_text("\u200b" * 300 + "Tokyo") == "Tokyo"
    assert len(customer_text("x" * MAX_CUSTOMER_CHARS)) == MAX_CUSTOMER_CHARS


@pytest.mark.parametrize("argument, customer", [
    ("+44 20 7946 0958", "+44 20 7946 0958"),        # a softphone appends the caller id
    ("Ana, +34 612 345 678", "Ana, +34 612 345 678"),
    ("agent-assistant://customer?q=Tokyo", "Tokyo"),
    ("tel:+81-3-1234-5678", "+81-3-1234-5678"),
])
def test_a_start_argument_is_a_link_or_a_caller_id(argument, customer):
    assert customer_from_argument(argument) == customer


@pytest.mark.parametrize("argument", ["file:///etc/passwd", "C:\\Windows\\x.exe", "https://evil.example/?q=1",
                                      "agent-assistant://settings?q=x", "\u202e\x00"])
def test_a_start_argument_that_is_another_address_is_refused(argument):
    with pytest.raises(LinkError):
        customer_from_argument(argument)


def test_a_policy_without_links_still_takes_a_caller_id():
    assert customer_from_argument("+44 20 7946 0958", links_allowed=False) == "+44 20 7946 0958"
    with pytest.raises(LinkError, match="policy"):
        customer_from_argument("agent-assistant://customer?q=Tokyo", links_allowed=False)
