"""Text from the API, made safe to print on a terminal.

Registrants choose their own names on GoTo's public registration page, so names, emails,
titles and even API error messages (which may quote them) are attacker-controlled. A terminal
obeys control characters: an escape sequence in a name can recolour the screen, hide text,
rewrite the title bar or plant an OSC 8 hyperlink, and bidi controls reorder what is shown
(an email address that reads differently from what it is). ``printable`` turns all of them
into visible escapes. So do lone surrogates (``"\\ud800"``: JSON allows the escape, but it is
no character and no terminal encoding can write it). Rich markup is a separate matter,
handled where rich is used (``output.plain``).
"""

from __future__ import annotations

import re

__all__ = ["printable", "without_userinfo"]

# Bidi embeddings, overrides, isolates and marks ("Trojan Source").
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls, DEL, C1 controls (0x9b is CSI on 8-bit terminals), line/paragraph separators,
# lone surrogates.
_INVISIBLE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff{_BIDI}]")
_INVISIBLE_KEEP_LF = re.compile(
    f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff{_BIDI}]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: object, *, multiline: bool = False) -> str:
    """``value`` as text a terminal shows as it is: control and bidi characters become
    visible escapes (``\\x1b``, ``\\u202e``); ``multiline`` keeps line feeds."""
    pattern = _INVISIBLE_KEEP_LF if multiline else _INVISIBLE
    return pattern.sub(_escape, str(value))


_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")


def without_userinfo(url: str) -> str:
    """``url`` with its user info (``user:password@``) masked as ``***@``: it may be a
    credential."""
    return _USERINFO.sub("***@", url)
