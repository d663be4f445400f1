"""Page chrome: lines that belong to the website, never to the article.

Shared by the text-dump parser and the HTML extractor so both drop the same things.
"""

from __future__ import annotations

import re

_CHROME_PATTERNS = [
    r"back to top( button)?",
    r"scroll to top",
    r"(share|share this|share this article|share on|share via)( on)?( (facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit|telegram)[ ,]*)*",
    r"(facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit|telegram|print)( (facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit|telegram|print))*",
    r"(tweet|pin it|print( this)?( article| page)?|email this( article)?|copy link|link copied)",
    r"((e-?mail|send)( this| it)?( article| story)? to a friend|e-?mail a friend)",
    r"(subscribe|sign up)( now| today)?( to (our|the) newsletter)?[.!]?",
    r"(follow us|follow us on (?!.*[.!?]$)[^.,;!?]{1,40}|like us on facebook)",
    r"(advertisement|sponsored( content)?|ad|ads|promoted)",
    r"(skip to (main )?content|skip navigation|toggle navigation|menu|search|close|open menu)",
    r"(read more|continue reading|show more|load more|see more)[.…]*",
    r"(this (web)?site uses cookies.*|we use cookies.*|accept( all)? cookies.*|cookie (policy|settings|preferences).*)",
    r"(all rights reserved.*|copyright ©.*|© \d{4}.*)",
    r"(leave a (comment|reply)|\d+ comments?|comments?|no comments( yet)?)",
    # Label lines ("Filed under: Politics, World"): a list, never a sentence.
    r"(posted in|filed under|tags?|topics?):? (?!.*[.!?]$)[^.!?]{1,120}",
    r"(you (may|might) also like|related (posts|articles|stories|news|content)|more from (?!.*[.!?]$)[^.,;!?]{1,40}|more stories|recommended( for you)?|trending( now)?|most (read|popular))",
]
_CHROME = re.compile(r"^(?:" + "|".join(_CHROME_PATTERNS) + r")\s*[:.!]?$", re.IGNORECASE)

# Headings that open a related-articles block; what follows them is not the article.
RELATED_HEADING = re.compile(
    r"^\s*(related( articles| posts| stories| news| content| reading| coverage| links)?|"
    r"you (may|might) (also )?(like|enjoy|be interested in)|"
    r"(read|see) (more|also)( on this topic| about this)?|"
    r"more (from|on|in|about) (?!.*[.!?]$).{1,60}|"
    r"more stories|more news|recommended( stories| articles| for you| reading)?|"
    r"further reading|also read|also on (?!.*[.!?]$).{1,40}|what to read next|"
    r"popular (now|stories)|"
    r"most (read|popular|viewed)|trending( now| stories)?|top stories|latest (news|stories))"
    r"\s*[:.…]*\s*$",
    re.IGNORECASE,
)


def is_chrome_line(line: str) -> bool:
    """True when a whole line is page furniture (share bars, "Back to top", cookie notes)."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) > 200:
        return False
    return bool(_CHROME.match(stripped))


def is_related_heading(line: str) -> bool:
    """True when a line opens a "Related Articles"-style block."""
    stripped = line.strip()
    return 0 < len(stripped) <= 80 and bool(RELATED_HEADING.match(stripped))
