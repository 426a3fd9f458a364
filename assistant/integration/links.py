"""What a call pop may carry: the customer's text, and nothing else.

A softphone runs ``agent-assistant --customer "%CALLERID%"``, a CRM opens
``agent-assistant://customer?q=<url-encoded text>``, and once the agent makes the app their
handler, ``tel:`` / ``callto:`` links arrive too. All of it is untrusted: a web page can open a
link, a caller chooses their caller-id name. So:

- The text is plain text, capped at :data:`MAX_CUSTOMER_CHARS` (longer is refused, not cut: a
  cut phone number is another customer); control, format (bidi) and private-use characters
  are removed and white space collapsed (:func:`customer_text`).
- A link is read strictly (:func:`customer_from_link`): the ``agent-assistant`` scheme with the
  host ``customer``, no path, exactly one ``q`` parameter and no fragment; a ``tel:``/``callto:``
  link only as a phone number. Anything else (another host, path or parameter, ``file:``,
  user info, a port...) is refused with :class:`LinkError`: a link can set the customer and
  do nothing else. The customer text then goes through the one customer session
  (:mod:`assistant.customer.session`) like anything typed into the customer bar.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, unquote, urlsplit

from assistant.errors import UserError

SCHEME = "agent-assistant"
PHONE_SCHEMES = ("tel", "callto")
SCHEMES = (SCHEME, *PHONE_SCHEMES)
LINK_HOST = "customer"
MAX_CUSTOMER_CHARS = 200   # "Name, +81 3-1234-5678" needs 40; a caller-id name more is not a name
MAX_LINK_CHARS = 2048      # what any browser or softphone sends for a customer link
_PHONE = re.compile(r"\+?[0-9()\-. ]{3,40}")


class LinkError(UserError):
    """A link or customer text that the app refuses (it sets nothing)."""


def customer_text(text: str) -> str:
    """``text`` made plain: line breaks and tabs become spaces, control, format (bidi,
    zero-width) and private-use characters are removed, white space collapsed. Raises
    LinkError when it is too long or nothing is left."""
    if not isinstance(text, str):
        raise LinkError("The customer must be text.")
    if len(text) > MAX_CUSTOMER_CHARS * 4:  # before any work on it
        raise LinkError(f"The customer text is too long ({len(text):,} characters; at most "
                        f"{MAX_CUSTOMER_CHARS}).")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r\x0b\x0c\x85\u2028\u2029" or category == "Zs":
            kept.append(" ")
        elif category[0] != "C" and category not in ("Zl", "Zp"):
            kept.append(char)
    plain = " ".join("".join(kept).split())
    if len(plain) > MAX_CUSTOMER_CHARS:
        raise LinkError(f"The customer text is too long ({len(plain):,} characters; at most "
                        f"{MAX_CUSTOMER_CHARS}).")
    if not plain:
        raise LinkError("The customer text is empty.")
    return plain


_SCHEME_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def customer_from_argument(text: str, links_allowed: bool = True) -> str:
    """The customer a start's argument carries: a link (anything that starts as an address
    does, ``file:`` and ``C:\\`` included, is read as one and refused unless it is ours) or
    the caller id a softphone appends to its command ("+44 20 7946 0958")."""
    if _SCHEME_PREFIX.match(text or ""):
        if not links_allowed:
            raise LinkError("The deployment policy does not allow links to set the customer.")
        return customer_from_link(text)
    return customer_text(text)


def customer_from_link(link: str) -> str:
    """The customer text an ``agent-assistant://customer?q=...``, ``tel:`` or ``callto:`` link
    carries; LinkError for any other link, or any link that asks for more."""
    if not isinstance(link, str) or not link:
        raise LinkError("The link is empty.")
    if len(link) > MAX_LINK_CHARS:
        raise LinkError(f"The link is too long ({len(link):,} characters; at most {MAX_LINK_CHARS}).")
    if any(unicodedata.category(c)[0] in "CZ" for c in link):
        raise LinkError("The link contains spaces or control characters; its text must be URL-encoded.")
    scheme, sep, rest = link.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise LinkError(f"Only {SCHEME}://{LINK_HOST}?q=… links (and tel: or callto: numbers) "
                        f"are accepted.")
    if scheme in PHONE_SCHEMES:
        return _phone_from_link(scheme, rest)
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError as exc:
        raise LinkError(f"The link is not a valid address ({exc}).") from None
    if (parts.netloc.lower() != LINK_HOST or parts.username is not None or port is not None
            or parts.path not in ("", "/") or parts.fragment or "#" in link):
        raise LinkError(f"A link can only set the customer: {SCHEME}://{LINK_HOST}?q=<text>.")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True,
                         encoding="utf-8", errors="strict", max_num_fields=2)
    except (ValueError, UnicodeDecodeError):
        raise LinkError("The link's query must be q=<url-encoded text> and nothing else.") from None
    if set(query) != {"q"} or len(query["q"]) != 1:
        raise LinkError("The link's query must be q=<url-encoded text> and nothing else.")
    return customer_text(query["q"][0])


def _phone_from_link(scheme: str, rest: str) -> str:
    """The number of ``tel:+81-3-1234-5678;phone-context=...`` or ``callto:+44...`` /
    ``callto://+44...``: visual separators kept, parameters dropped; anything but a number
    (a Skype name, a path) refused."""
    number = rest[2:] if rest.startswith("//") else rest
    number = number.split(";", 1)[0].split("?", 1)[0]
    try:
        number = unquote(number, errors="strict")
    except UnicodeDecodeError:
        raise LinkError(f"The {scheme}: link is not a phone number.") from None
    if not _PHONE.fullmatch(number) or sum(c.isdigit() for c in number) < 3:
        raise LinkError(f"The {scheme}: link is not a phone number.")
    return customer_text(number)


def link_for(text: str) -> str:
    """The link that sets ``text`` as the customer (for a CRM's template, the docs, tests)."""
    from urllib.parse import quote

    return f"{SCHEME}://{LINK_HOST}?q={quote(customer_text(text), safe='')}"
