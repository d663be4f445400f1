"""Re-anchoring annotations on a changed article text (the W3C Web Annotation selectors).

An annotation stores a TextPositionSelector (start/end into `Article.text`) and a
TextQuoteSelector (the exact words, with up to CONTEXT_CHARS of context either side). When
the text changes, `anchor` finds the words again:

1. position + exact check: the words are still at the stored offsets, with their context;
2. exact search: every occurrence of the words, scored by how much of the context agrees,
   near-ties broken by the distance from the old position;
3. fuzzy search with a bounded error budget (at most 20% of the quote's length in edits), in
   windows located by the context, the old position and exact pieces of the quote;
4. otherwise orphaned: the annotation is kept, but never attached to other text.

Attaching a highlight to the wrong words is worse than orphaning it (an orphan is listed and
repairable; a wrong highlight silently misleads), so a place is accepted only on evidence:

- the context agrees exactly on a whole side (or the quote still begins/ends the text), or
  the quote lies at its *site* (a tail of its prefix, then within reach a head of its
  suffix), or it was a whole paragraph of 32+ characters and still is one (it moved);
- if the site stands empty (prefix and suffix meet without the quote), the quote was removed
  and a copy elsewhere is other text; if the prefix vouches for one place and the suffix for
  another, the text repeats itself and we cannot tell which: orphaned either way;
- a fuzzy match must itself be within the budget of the quote, never merely near context;
  quotes of 1-3 characters are only matched exactly.

Pure Python on purpose (no compiled dependency): the fuzzy alignment is Myers' bit-parallel
edit distance on Python integers, run only on small windows of the text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

AnchorStatus = Literal["anchored", "fuzzy", "orphaned"]

CONTEXT_CHARS = 32


@dataclass(frozen=True, slots=True)
class TextQuote:
    """W3C TextQuoteSelector: the words, and the context that tells equal words apart."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a quote sits in a text (W3C TextPositionSelector), and how sure we are."""

    start: int | None  # None when orphaned
    end: int | None
    status: AnchorStatus


ORPHANED = Anchor(None, None, "orphaned")

SHORT_QUOTE = 3  # quotes this short anchor only exactly: a fuzzy 3-letter match means nothing
ERROR_RATE = 0.2  # fuzzy budget: edits allowed per character of the quote
EDIT_COST = 4  # evidence one edit costs (an edit leaves a few characters unreliable)
MIN_EVIDENCE = 20  # agreeing characters (quote + context) needed to accept a place
MIN_FUZZY_EVIDENCE = 32  # an edited quote needs more: near-duplicate sentences exist
ALONE = 32  # a moved paragraph this long is recognised by its words alone
STRONG_SIDE = 16  # a whole side of context agreeing exactly vouches, if at least this long
STRONG_RUN = 48  # ... or if it makes a verbatim run this long with the quote
EDGE_EVIDENCE = 12.0  # a side that reached the start/end of the text, and still does
INTACT_BONUS = 16.0  # both sides agree exactly: nothing can be better
SITE_CONTEXT = 16  # context characters that mark the quote's old site
SITE_MIN = 8  # shorter context than this cannot mark a site
SITE_GAP = 300  # how much the site may have grown around the quote (or in its place)
MAX_SITES = 32  # occurrences of the prefix's tail / suffix's head looked at
SITE_BONUS = 16.0  # evidence for lying between the prefix and the suffix
HALF = 0.5  # an edited quote's weaker side must agree at least this much (else: a site)
PROXIMITY = 8.0  # evidence a place loses each time its distance from the old place doubles
PROXIMITY_SCALE = 32  # ... counted from this distance on
TIE = 4.0  # candidates this close in evidence are told apart by the old position
MAX_EXACT = 64  # beyond this many occurrences, only context-led ones are scored
MAX_SCORED = 6  # occurrences whose context is compared fuzzily (the rest: exact adjacency)
MAX_WINDOWS = 8  # fuzzy search windows per quote
MAX_PIECES = 8  # exact pieces of a quote looked up to locate it
MAX_SEED_HITS = 8  # a quote piece found more often than this is too common to locate by
Q = 3  # q-gram length of the fuzzy search's filter
PAD = 8  # slack around a fuzzy search window
SNAP = 8  # exact context adjacency that pins a fuzzy match's boundary
CHUNK = 256  # longer quotes are aligned chunk by chunk (bit vectors stay short)


def describe(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> TextQuote:
    """The quote selector for text[start:end] (exact, and up to `context` chars before/after).

    Out-of-range offsets are clamped rather than raising: a selection is never worth a crash.
    """
    n = len(text)
    start = min(max(start, 0), n)
    end = min(max(end, start), n)
    context = max(context, 0)
    return TextQuote(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def anchor(text: str, quote: TextQuote, start: int | None = None, end: int | None = None) -> Anchor:
    """Find the quote in (a new version of) text. Never raises.

    `start`/`end` are the old position (a hint); without them only the quote is used.
    """
    exact = quote.exact
    m = len(exact)
    if not m or not text:
        return ORPHANED
    budget = 0 if m <= SHORT_QUOTE else int(m * ERROR_RATE)
    if m - budget > len(text):
        return ORPHANED
    finder = _Finder(text, quote, _hint(text, m, start, end), budget)

    # 1. position + exact check: the words are where they were, and so is their context.
    hint = finder.hint
    if hint is not None and text.startswith(exact, hint):
        found = finder.candidate(hint, hint + m, 0)
        strong = found.strong_before or found.strong_after
        if found.intact or (strong and not found.misaligned and finder.accepts(found)):
            return Anchor(hint, hint + m, "anchored")

    # 2. exact search: done, unless the context hints at an edit at the quote's boundary.
    candidates = finder.exact_candidates()
    best = finder.choose(candidates)
    if best is not None and not best.misaligned and finder.accepts(best):
        return Anchor(best.start, best.end, "anchored")

    # 3. fuzzy search (competing with whatever exact occurrences were found).
    if budget > 0:
        candidates.extend(finder.fuzzy_candidates())
        best = finder.choose(candidates)
    if best is None or not finder.accepts(best):
        return ORPHANED
    return Anchor(best.start, best.end, "anchored" if best.distance == 0 else "fuzzy")


def _hint(text: str, m: int, start: int | None, end: int | None) -> int | None:
    """The old start if it is a usable offset (odd values from storage are ignored)."""
    if isinstance(start, int) and not isinstance(start, bool) and 0 <= start <= len(text):
        return start
    if isinstance(end, int) and not isinstance(end, bool) and m <= end <= len(text):
        return end - m
    return None


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    distance: int  # edits between the quote and text[start:end]
    before: int  # prefix characters that agree exactly, right before the match
    after: int  # suffix characters that agree exactly, right after it
    strong_before: bool  # the whole prefix agrees (and is long, or reaches the text start)
    strong_after: bool  # the whole suffix agrees (and is long, or reaches the text end)
    context: float  # agreeing context characters, small edits in it tolerated
    misaligned: bool  # cuts into a word where the quote did not (an edit at its boundary)

    @property
    def intact(self) -> bool:
        return self.strong_before and self.strong_after


class _Finder:
    """The search for one quote in one text; holds what every step shares."""

    def __init__(self, text: str, quote: TextQuote, hint: int | None, budget: int) -> None:
        self.text = text
        self.exact = quote.exact
        self.prefix = quote.prefix
        self.suffix = quote.suffix
        self.m = len(quote.exact)
        self.hint = hint
        self.budget = budget
        self._sites: list[tuple[int, int, int]] | None = None
        self._pool: list[_Candidate] = []
        self._grams: list[str] | None = None
        self._masks: tuple[dict[str, int], dict[str, int]] | None = None

    # -- evidence --------------------------------------------------------------------------

    def _before(self, start: int) -> int:
        """Prefix characters that agree exactly, counted back from `start`."""
        return _common_suffix(self.prefix, self.text, start)

    def _after(self, end: int) -> int:
        """Suffix characters that agree exactly, counted on from `end`."""
        return _common_prefix(self.suffix, self.text, end)

    @staticmethod
    def _side(context: str, window: str, adjacent: int) -> float:
        """Agreeing characters of one side's context, tolerant of small edits in it.

        Exact agreement next to the quote counts fully; agreement only by similarity counts
        half, since it cannot tell where the quote's boundary is.
        """
        if adjacent == len(context):
            return float(adjacent)
        similarity = 1.0 - levenshtein(context, window) / len(context)
        # Unrelated prose is ~40% similar by edit distance: count only what is above chance.
        fuzzy = len(context) * max(0.0, 2.0 * similarity - 1.0)
        return adjacent + 0.5 * max(0.0, fuzzy - adjacent)

    def candidate(self, start: int, end: int, distance: int, fuzzy: bool = True) -> _Candidate:
        """A place for the quote, with how much of the stored context agrees around it.

        fuzzy=False counts exact adjacency only (cheap, to rank many occurrences).
        """
        text, prefix, suffix = self.text, self.prefix, self.suffix
        before, after = self._before(start), self._after(end)
        # A side shorter than the usual context reached the edge of the text; if it still
        # does, that is evidence too (a quote that opened the article still opens it).
        edge_before = before == len(prefix) and start == len(prefix)
        edge_after = after == len(suffix) and end + len(suffix) == len(text)
        # A whole side that agrees vouches if it is long, or with the quote makes a long
        # verbatim run (a short side is all the context a quote near the edge has).
        least = max(1, min(STRONG_SIDE, STRONG_RUN - self.m))
        strong_before = edge_before or before == len(prefix) >= least
        strong_after = edge_after or after == len(suffix) >= least
        score = EDGE_EVIDENCE * (edge_before + edge_after)
        if not fuzzy:
            score += before + after
        else:
            sides = (
                (prefix, text[max(0, start - len(prefix)) : start], before),
                (suffix, text[end : end + len(suffix)], after),
            )
            for context, window, adjacent in sides:
                if context:
                    score += self._side(context, window, adjacent)
        misaligned = self._cuts_word(start, end)
        return _Candidate(
            start, end, distance, before, after, strong_before, strong_after, score, misaligned
        )

    def _cuts_word(self, start: int, end: int) -> bool:
        """Whether text[start:end] cuts into a word where the quote did not: a character
        was added at its boundary (a typo fixed), so a fuzzy match may fit better."""
        text, exact, prefix, suffix = self.text, self.exact, self.prefix, self.suffix
        cut_start = 0 < start < len(text) and _inword(text[start - 1], text[start])
        if cut_start and not (prefix and _inword(prefix[-1], exact[0])):
            return True
        cut_end = 0 < end < len(text) and _inword(text[end - 1], text[end])
        return cut_end and not (suffix and _inword(exact[-1], suffix[0]))

    def sites(self) -> list[tuple[int, int, int]]:
        """Where the quote's old site still stands: a tail of its prefix, then (within reach)
        a head of its suffix, as (left, right, characters of context agreeing there). The
        quote lies between left and right, unless it was removed.

        Whitespace at the seam is ignored: removing a phrase usually takes a space with it.
        """
        if self._sites is None:
            text = self.text
            prefix, suffix = self.prefix.rstrip(), self.suffix.lstrip()
            # A short side is all there was between the quote and the edge of the text: it
            # marks the site if the text still begins (ends) with it.
            if len(prefix) >= SITE_MIN:
                tail = prefix[-SITE_CONTEXT:]
                lefts = [at + len(tail) for at in self._occurrences(tail, MAX_SITES)]
            else:
                edge = len(self.prefix) < CONTEXT_CHARS and text.startswith(prefix)
                lefts = [len(prefix)] if edge else []
            if len(suffix) >= SITE_MIN:
                rights = self._occurrences(suffix[:SITE_CONTEXT], MAX_SITES)
            else:
                edge = len(self.suffix) < CONTEXT_CHARS and text.endswith(suffix)
                rights = [len(text) - len(suffix)] if edge else []
            reach = self.m + self.budget + SITE_GAP
            sites = []
            for y in rights:
                near = [x for x in lefts if x <= y <= x + reach]
                if near:
                    x = max(near)  # the tightest site ending here
                    agree = _common_suffix(prefix, text, x) + _common_prefix(suffix, text, y)
                    sites.append((x, y, agree))
            self._sites = sites
        return self._sites

    def _site(self, found: _Candidate) -> tuple[bool, bool]:
        """(inside: the match lies in a site; rival: a site without it fits the context at
        least as well as the match itself, so that is where the quote was, and it is gone)."""
        slack = self.budget
        inside = rival = False
        own = found.before + found.after
        for x, y, agree in self.sites():
            if x - slack <= found.start and found.end <= y + slack:
                inside = True
            elif y <= found.start or x >= found.end:  # (context recurring inside: no site)
                rival = rival or (agree >= own and self._empty(x - slack, y + slack))
        return inside, rival and not found.intact

    def _empty(self, lo: int, hi: int) -> bool:
        """Whether no copy of the quote (exact, or a candidate found) lies in text[lo:hi]."""
        if self.text.find(self.exact, max(0, lo), hi) >= 0:
            return False
        return not any(lo <= other.start and other.end <= hi for other in self._pool)

    def _conflicts(self, found: _Candidate) -> bool:
        """Whether another place has a whole side of context that this one lacks: prefix
        and suffix vouch for different places, so the text repeats itself around the quote."""
        for other in self._pool:
            apart = other.end <= found.start or other.start >= found.end
            if apart and (
                (other.strong_before and not found.strong_before)
                or (other.strong_after and not found.strong_after)
            ):
                return True
        return False

    def accepts(self, found: _Candidate) -> bool:
        """Enough agreeing characters to be sure this is the quote and not other text."""
        if found.distance > self.budget:
            return False
        evidence = self.evidence(found)
        if found.intact:
            return evidence >= MIN_EVIDENCE
        if self._conflicts(found):
            return False
        inside, rival = self._site(found)
        strong = found.strong_before or found.strong_after
        if found.distance == 0:
            # A whole paragraph that is still one may have moved: its words can speak for it
            # (and the neighbours it left behind, now joined, are no sign it was removed).
            moved = self.m >= ALONE and self._paragraph(found)
            if rival and not moved:  # removed from its site: these are other words
                return False
            return evidence >= MIN_EVIDENCE and (strong or inside or moved)
        if rival:
            return False
        # An edited quote: its place must be vouched for by context on both sides.
        weaker = min(self._agreement(found, True), self._agreement(found, False))
        return evidence >= MIN_FUZZY_EVIDENCE and (inside or (strong and weaker >= HALF))

    def evidence(self, found: _Candidate) -> float:
        """Agreeing characters: the quote's (less a penalty per edit) and the context's."""
        evidence = self.m - EDIT_COST * found.distance + found.context
        if found.intact:
            return evidence + INTACT_BONUS
        return evidence + (SITE_BONUS if self._site(found)[0] else 0.0)

    def _paragraph(self, found: _Candidate) -> bool:
        """Whether the quote ran from paragraph break to paragraph break (or the text's edge)
        and still does: the context agrees on both sides up to the nearest break."""
        text, prefix, suffix = self.text, self.prefix, self.suffix
        # Agreement up to the break, or up to the text's edge where the break used to be.
        upto = len(prefix) - prefix.rfind("\n") - 1 if "\n" in prefix else None
        if prefix and upto is None:
            return False
        if upto is not None and not (
            found.before > upto or (found.before == upto and found.start == upto)
        ):
            return False
        if not prefix and found.start and text[found.start - 1] != "\n":
            return False
        upto = suffix.find("\n") if "\n" in suffix else None
        if suffix and upto is None:
            return False
        if upto is not None and not (
            found.after > upto or (found.after == upto and found.end + upto == len(text))
        ):
            return False
        return not (not suffix and found.end < len(text) and text[found.end] != "\n")

    def _agreement(self, found: _Candidate, before: bool) -> float:
        """How much of one side's context agrees (0-1; a whole agreeing side is 1)."""
        context = self.prefix if before else self.suffix
        if not context or (found.strong_before if before else found.strong_after):
            return 1.0
        if before:
            window = self.text[max(0, found.start - len(context)) : found.start]
            return self._side(context, window, found.before) / len(context)
        window = self.text[found.end : found.end + len(context)]
        return self._side(context, window, found.after) / len(context)

    def _off(self, found: _Candidate) -> int:
        return 0 if self.hint is None else abs(found.start - self.hint)

    def choose(self, candidates: list[_Candidate]) -> _Candidate | None:
        """The best-supported candidate; near-ties go to the one closest to the old place."""
        self._pool = candidates
        if not candidates:
            return None
        # Edits are mostly local: a place far from the old one needs more evidence to win.
        evidence = {id(found): self.evidence(found) for found in candidates}
        rank = {id(found): evidence[id(found)] - self._remoteness(found) for found in candidates}
        top = max(rank.values())
        tied = [found for found in candidates if rank[id(found)] >= top - TIE]
        return min(tied, key=lambda found: (self._off(found), -evidence[id(found)], found.start))

    def _remoteness(self, found: _Candidate) -> float:
        return PROXIMITY * math.log2(1 + self._off(found) / PROXIMITY_SCALE)

    # -- exact search ----------------------------------------------------------------------

    def _occurrences(
        self, needle: str, limit: int, lo: int = 0, hi: int | None = None
    ) -> list[int]:
        found: list[int] = []
        find = self.text.find
        hi = len(self.text) if hi is None else hi
        at = find(needle, lo, hi)
        while at >= 0 and len(found) < limit:
            found.append(at)
            at = find(needle, at + 1, hi)
        return found

    def exact_candidates(self) -> list[_Candidate]:
        """Every occurrence of the exact quote (or, when there are very many, the ones that
        its context or the old position single out), scored by context."""
        exact, m = self.exact, self.m
        starts = self._occurrences(exact, MAX_EXACT + 1)
        if len(starts) > MAX_EXACT:
            chosen: set[int] = set()
            for size in (CONTEXT_CHARS, SNAP):
                tail = self.prefix[-size:]
                if tail:
                    chosen.update(at + len(tail) for at in self._occurrences(tail + exact, 16))
                head = self.suffix[:size]
                if head:
                    chosen.update(self._occurrences(exact + head, 16))
            if self.hint is not None:
                lo = max(0, self.hint - 4 * m - CONTEXT_CHARS)
                chosen.update(self._occurrences(exact, 4, lo, self.hint + 5 * m + CONTEXT_CHARS))
            starts = sorted(chosen)
        if len(starts) > MAX_SCORED:
            # Cheap exact adjacency for all; full context only for the promising few.
            cheap = [self.candidate(at, at + m, 0, fuzzy=False) for at in starts]
            by_context = sorted(cheap, key=lambda found: -found.context)[:MAX_SCORED]
            by_place = sorted(cheap, key=self._off)[:2]
            starts = sorted({found.start for found in by_context + by_place})
        return [self.candidate(at, at + m, 0) for at in starts]

    # -- fuzzy search ----------------------------------------------------------------------

    def _local_starts(self) -> list[int]:
        """Where the quote may start, most trusted first: after its prefix, before its
        suffix, at the old position."""
        prefix, suffix, m = self.prefix, self.suffix, self.m
        starts: list[int] = []
        if prefix:
            for size in (len(prefix), SNAP):
                tail = prefix[-size:]
                hits = self._occurrences(tail, 5)
                if 0 < len(hits) <= 4:
                    starts.extend(at + len(tail) for at in hits)
                    break
        if suffix:
            for size in (len(suffix), SNAP):
                head = suffix[:size]
                hits = self._occurrences(head, 5)
                if 0 < len(hits) <= 4:
                    starts.extend(at - m for at in hits)
                    break
        if self.hint is not None:
            starts.append(self.hint)
        return starts

    def _site_stands_empty(self) -> bool:
        """Whether the quote's old site stands without it (then a match elsewhere would be
        other words anyway, and there is no need to search the whole text)."""
        slack = self.budget
        return any(
            self.text.find(self.exact, max(0, x - slack), y + slack) < 0 for x, y, _ in self.sites()
        )

    def _seed_starts(self) -> list[int]:
        """Starts implied by exact pieces of the quote (a pigeonhole filter: with few edits
        most pieces survive), best agreed first; pieces too common to locate are skipped."""
        exact, m, budget = self.exact, self.m, self.budget
        size = max(m // (budget + 1), 6)
        count = m // size
        if count <= MAX_PIECES:
            offsets = [i * size for i in range(count)]
        else:
            offsets = [i * (m - size) // (MAX_PIECES - 1) for i in range(MAX_PIECES)]
        votes: dict[int, set[int]] = {}
        for offset in offsets:
            piece = exact[offset : offset + size]
            hits = self._occurrences(piece, MAX_SEED_HITS + 1)
            if len(hits) > MAX_SEED_HITS:
                continue
            for at in hits:
                votes.setdefault(at - offset, set()).add(offset)
        if not votes:
            return []
        # Cluster implied starts that lie within the budget of each other.
        clusters: list[tuple[int, int]] = []  # (number of agreeing pieces, start)
        group: list[int] = []
        for start in sorted(votes):
            if group and start - group[0] > budget:
                clusters.append(_cluster(group, votes))
                group = []
            group.append(start)
        clusters.append(_cluster(group, votes))
        clusters.sort(key=lambda cluster: -cluster[0])
        return [start for _, start in clusters[:4]]

    def fuzzy_candidates(self) -> list[_Candidate]:
        """The best alignment of the quote within the budget in each search window: first
        near its context and its old place; then, if that found nothing convincing, where
        exact pieces of the quote say it may have moved to."""
        found = self._search(self._local_starts(), [])
        if any(span.intact or self._site(span)[0] for span in found):
            return found
        if self._site_stands_empty():
            return found
        return self._search(self._seed_starts(), found)

    def _search(self, starts: list[int], found: list[_Candidate]) -> list[_Candidate]:
        m, budget, n = self.m, self.budget, len(self.text)
        windows: list[list[int]] = []
        for start in starts:
            lo = max(0, start - budget - PAD)
            hi = min(n, start + m + budget + PAD)
            if hi - lo < m - budget:
                continue
            for window in windows:  # overlapping windows are searched as one
                if lo < window[1] and hi > window[0]:
                    window[0], window[1] = min(lo, window[0]), max(hi, window[1])
                    break
            else:
                windows.append([lo, hi])
            if len(windows) == MAX_WINDOWS:
                break
        seen = {(span.start, span.end) for span in found}
        found = list(found)
        for lo, hi in windows:
            if any(lo <= span.start and span.end <= hi for span in found):
                continue  # searched already
            span = self._align(lo, hi)
            if span is not None and (span.start, span.end) not in seen:
                seen.add((span.start, span.end))
                found.append(span)
                if span.intact:  # nothing elsewhere can beat it
                    break
        return found

    def _may_match(self, lo: int, hi: int) -> bool:
        """A q-gram filter, far cheaper than aligning: each edit spoils at most Q of the
        quote's q-grams, so a match within the budget keeps enough of them in the window."""
        if self._grams is None:
            exact = self.exact
            self._grams = [exact[i : i + Q] for i in range(self.m - Q + 1)]
        need = len(self._grams) - Q * self.budget
        if need <= 0:
            return True
        window = self.text[lo:hi]
        present = {window[i : i + Q] for i in range(len(window) - Q + 1)}
        return sum(gram in present for gram in self._grams) >= need

    def _align(self, lo: int, hi: int) -> _Candidate | None:
        """The best match of the quote in text[lo:hi] within the budget, its boundaries
        pinned by the context where the context agrees exactly."""
        if self.m > CHUNK:
            return self._align_long(lo, hi)
        if not self._may_match(lo, hi):
            return None
        text, exact, m, budget = self.text, self.exact, self.m, self.budget
        if self._masks is None:
            self._masks = (_bitmasks(exact), _bitmasks(exact[::-1]))
        masks, reverse = self._masks
        scores = _myers(masks, m, text[lo:hi], anchored=False)
        if not scores or min(scores) > budget:
            return None
        least = min(scores)
        expected_end = None if self.hint is None else self.hint + m
        ends = [
            lo + i + 1
            for i, score in enumerate(scores)
            if score <= min(least + 1, budget) or (score <= budget and self._held(lo + i + 1))
        ]
        end = min(ends, key=lambda e: self._end_key(e, scores[e - lo - 1], expected_end))
        # Lev(quote, text[s:end]) for every start s, from one pass over the reversed text.
        first = max(0, end - m - budget)
        back = _myers(reverse, m, text[first:end][::-1], anchored=True)
        allowed = min(scores[end - lo - 1] + 1, budget)
        starts = [
            end - i - 1
            for i, score in enumerate(back)
            if score <= allowed or (score <= budget and self._held(end - i - 1, start=True))
        ]
        if not starts:
            return None
        start = min(starts, key=lambda s: self._start_key(s, back[end - s - 1], end))
        return self.candidate(start, end, back[end - start - 1])

    def _held(self, at: int, start: bool = False) -> bool:
        """Whether a whole side of context (at least STRONG_SIDE long) agrees exactly at this
        boundary: then it is the quote's boundary, whatever the edits inside cost."""
        if start:
            return len(self.prefix) >= STRONG_SIDE and self.text.endswith(self.prefix, 0, at)
        return len(self.suffix) >= STRONG_SIDE and self.text.startswith(self.suffix, at)

    def _end_key(self, end: int, score: int, expected: int | None) -> tuple[int, ...]:
        """Ends held by the whole suffix win; then ends pinned by its first characters win
        over a 1-edit saving; then the nearest to where the old end was."""
        after = self._after(end)
        suffix = self.suffix
        pinned = after >= min(SNAP, len(suffix)) if suffix else end == len(self.text)
        gap = 0 if expected is None else abs(end - expected)
        return (-self._held(end), score - pinned, -pinned, -after, gap)

    def _start_key(self, start: int, score: int, end: int) -> tuple[int, ...]:
        before = self._before(start)
        pinned = before >= min(SNAP, len(self.prefix)) if self.prefix else start == 0
        held = self._held(start, start=True)
        return (-held, score - pinned, -pinned, -before, abs(end - start - self.m))

    def _align_long(self, lo: int, hi: int) -> _Candidate | None:
        """A long quote: align its first chunk in the window, then walk on chunk by chunk.

        The summed chunk distances bound the true edit distance from above, so a match
        accepted this way is within the budget; bit vectors stay CHUNK bits wide.
        """
        text, exact, budget = self.text, self.exact, self.budget
        quote = TextQuote(exact[:CHUNK], self.prefix, exact[CHUNK : CHUNK + CONTEXT_CHARS])
        head = _Finder(text, quote, None, min(budget, int(CHUNK * ERROR_RATE)))
        first = head._align(lo, min(len(text), hi - (self.m - CHUNK)))
        if first is None:
            return None
        distance, at = first.distance, first.end
        for offset in range(CHUNK, self.m, CHUNK):
            chunk = exact[offset : offset + CHUNK]
            slack = min(budget - distance, CHUNK)
            segment = text[at : at + len(chunk) + slack]
            if slack < 0 or not segment:
                return None
            scores = _myers(_bitmasks(chunk), len(chunk), segment, anchored=True)
            last, size = offset + CHUNK >= self.m, len(chunk)

            def key(
                i: int,
                scores: list[int] = scores,
                at: int = at,
                last: bool = last,
                size: int = size,
            ) -> tuple[int, int]:
                pinned = last and self._end_key(at + i + 1, 0, None)[2] < 0
                return (scores[i] - pinned, abs(i + 1 - size))

            best = min(range(len(scores)), key=key)
            distance += scores[best]
            at += best + 1
        if distance > budget:
            return None
        return self.candidate(first.start, at, distance)


def _inword(left: str, right: str) -> bool:
    """Whether a boundary between these two characters falls inside a word."""
    return (
        (left.isalnum() or left in "'’")
        and (right.isalnum() or right in "'’")
        and (left.isalnum() or right.isalnum())
    )


def _common_suffix(context: str, text: str, end: int) -> int:
    """How many characters of `context` agree with the text just before `end`."""
    count, limit = 0, min(len(context), end)
    while count < limit and context[-1 - count] == text[end - 1 - count]:
        count += 1
    return count


def _common_prefix(context: str, text: str, start: int) -> int:
    """How many characters of `context` agree with the text from `start` on."""
    count, limit = 0, min(len(context), len(text) - start)
    while count < limit and context[count] == text[start + count]:
        count += 1
    return count


def _cluster(group: list[int], votes: dict[int, set[int]]) -> tuple[int, int]:
    agreeing: set[int] = set()
    for start in group:
        agreeing |= votes[start]
    best = max(group, key=lambda start: len(votes[start]))
    return len(agreeing), best


def _bitmasks(pattern: str) -> dict[str, int]:
    """For each character, the bit set of the positions where it occurs in the pattern."""
    masks: dict[str, int] = {}
    bit = 1
    for char in pattern:
        masks[char] = masks.get(char, 0) | bit
        bit <<= 1
    return masks


def _myers(masks: dict[str, int], m: int, text: str, anchored: bool) -> list[int]:
    """Myers' bit-parallel edit distance (Hyyrö's formulation), one score per text position.

    scores[i] is the edit distance between the pattern and the best substring of text that
    ends at i (anchored=False: a search), or text[:i + 1] itself (anchored=True).
    """
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    carry = 1 if anchored else 0
    pv, mv, score = mask, 0, m
    scores: list[int] = []
    append = scores.append
    get = masks.get
    for char in text:
        eq = get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | carry) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        append(score)
    return scores


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings (insertions, deletions, substitutions)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    return _myers(_bitmasks(a), len(a), b, anchored=True)[-1]
