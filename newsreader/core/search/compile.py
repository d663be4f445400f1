"""Parsed query → tantivy query, built term by term (never from the user's raw text)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import tantivy

from newsreader.core.search.index import EXACT_FIELDS, member_flag
from newsreader.core.search.query import Clause, Filter, ParsedQuery, Words
from newsreader.core.search.text import analyze_exact, analyze_word, fold_prefix
from newsreader.core.sections import section_key

# A hit in the title outranks one in the body; a section or source name counts a little.
FIELD_BOOSTS = {
    "title": 3.0, "body": 1.0, "byline": 1.0, "section": 1.5, "source": 1.0, "annotation": 1.0,
}  # fmt: skip
FIELDS_OF = {None: tuple(FIELD_BOOSTS), "title": ("title",), "author": ("byline",)}
# Phrases are sentences' words: looked for in the texts, not in names (a phrase query must
# read positions, so every field it spans costs).
PHRASE_FIELDS = ("title", "body", "annotation")
MAX_PREFIX_TERMS = 64
MIN_PREFIX_CHARS = 2

Q = tantivy.Query
Occur = tantivy.Occur


def term_query(schema: tantivy.Schema, field: str, term: str) -> tantivy.Query:
    """A query for one index term, scored from frequencies: tantivy's default would also
    read every match's positions, which only phrases need (a third of a first search's
    reads from disk)."""
    return Q.term_query(schema, field, term, index_option="freq")


class Compiled:
    """A tantivy query plus what the snippets need to mark."""

    def __init__(self, member: str = "") -> None:
        self.member = member  # whose marks is:read, is:unread and is:starred ask about
        self.terms: set[str] = set()
        self.prefixes: list[str] = []
        self.hints: list[str] = []


def compile_query(
    parsed: ParsedQuery, schema: tantivy.Schema, searcher: tantivy.Searcher, member: str = ""
) -> tuple[tantivy.Query | None, Compiled]:
    """The tantivy query for `parsed`, or None when nothing can match; `member`'s marks
    answer is:read, is:unread and is:starred."""
    info = Compiled(member)
    info.hints.extend(parsed.hints)
    must: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for clause in parsed.clauses:
        query = _clause(clause, schema, searcher, info)
        if query is None:
            if not clause.negated:
                return None, info  # a required part that can never match
            continue
        must.append((Occur.MustNot if clause.negated else Occur.Must, query))
    if not any(occur == Occur.Must for occur, _ in must):
        if not must:
            return None, info
        must.append((Occur.Must, Q.all_query()))
    if len(must) == 1:
        return must[0][1], info
    return Q.boolean_query(must), info


def _clause(
    clause: Clause, schema: tantivy.Schema, searcher: tantivy.Searcher, info: Compiled
) -> tantivy.Query | None:
    track = not clause.negated
    options = [
        q for q in (_atom(a, schema, searcher, info, track) for a in clause.alternatives) if q
    ]
    if not options:
        return None
    return (
        options[0] if len(options) == 1 else Q.boolean_query([(Occur.Should, q) for q in options])
    )


def _atom(
    atom: Words | Filter, schema: tantivy.Schema, searcher: tantivy.Searcher, info: Compiled,
    track: bool,
) -> tantivy.Query | None:  # fmt: skip
    if isinstance(atom, Filter):
        return _filter(atom, schema, info.member)
    fields = FIELDS_OF[atom.field]
    if (atom.phrase or atom.exact) and atom.field is None:
        fields = PHRASE_FIELDS
    if atom.prefix:
        return _prefix(atom.words[0], fields, schema, searcher, info, track)
    terms = [t for word in atom.words for t in analyze_word(word)]
    if not terms:
        return None
    if track:
        info.terms.update(terms)
    if atom.exact and atom.field is None:  # quoted: the unstemmed twin of each text field
        forms = [t for word in atom.words for t in analyze_exact(word)]
        per_field = [
            _boosted(_words_in(schema, EXACT_FIELDS[name], forms, True), name) for name in fields
        ]
    else:
        per_field = [_boosted(_words_in(schema, name, terms, atom.phrase), name) for name in fields]
    return per_field[0] if len(per_field) == 1 else Q.boolean_query(
        [(Occur.Should, q) for q in per_field]
    )  # fmt: skip


def _words_in(schema: tantivy.Schema, name: str, terms: list[str], phrase: bool) -> tantivy.Query:
    """One field's query for a word (one or more terms: "e-mail" gives two)."""
    if len(terms) == 1:
        return term_query(schema, name, terms[0])
    if phrase:
        return Q.phrase_query(schema, name, list[str | tuple[int, str]](terms))
    return Q.boolean_query([(Occur.Must, term_query(schema, name, t)) for t in terms])


def _boosted(query: tantivy.Query, field: str) -> tantivy.Query:
    boost = FIELD_BOOSTS.get(field, 1.0)
    return query if boost == 1.0 else Q.boost_query(query, boost)


def _prefix(
    typed: str, fields: tuple[str, ...], schema: tantivy.Schema, searcher: tantivy.Searcher,
    info: Compiled, track: bool,
) -> tantivy.Query | None:  # fmt: skip
    """A prefix: the most frequent index terms that start with it, each ranked by bm25."""
    prefix = fold_prefix(typed)
    if len(prefix) < MIN_PREFIX_CHARS:
        info.hints.append(f"“{typed}*” is too short to search as a prefix")
        return None
    stems = {prefix, *analyze_word(prefix)}
    per_field = []
    for name in fields:
        found: dict[str, int] = {}
        for stem in stems:
            for term, freq in searcher.terms_with_prefix(name, stem):
                found[term] = max(freq, found.get(term, 0))
        if not found:
            continue
        terms = sorted(found, key=lambda t: -found[t])
        if len(terms) > MAX_PREFIX_TERMS:
            info.hints.append(
                f"“{typed}*” matches many words; the {MAX_PREFIX_TERMS} commonest were used"
            )
            terms = terms[:MAX_PREFIX_TERMS]
        per_field.append(_boosted(Q.boolean_query(
            [(Occur.Should, term_query(schema, name, t)) for t in terms]
        ), name))  # fmt: skip
    if track:
        info.prefixes.extend(sorted(stems))
    if not per_field:
        return None
    return per_field[0] if len(per_field) == 1 else Q.boolean_query(
        [(Occur.Should, q) for q in per_field]
    )  # fmt: skip


def _day_start(day: object) -> int:
    moment = datetime.combine(day, time.min, tzinfo=UTC)  # type: ignore[arg-type]
    return int(moment.timestamp())


def _filter(atom: Filter, schema: tantivy.Schema, member: str) -> tantivy.Query | None:
    if atom.name == "section":
        key = section_key(atom.value)
        return term_query(schema, "section_key", key) if key else None
    if atom.name == "source":
        terms = [t for word in atom.value.split() for t in analyze_word(word)]
        if not terms:
            return None
        if len(terms) == 1:
            return term_query(schema, "source", terms[0])
        return Q.phrase_query(schema, "source", list[str | tuple[int, str]](terms))
    if atom.name == "tag":
        return term_query(schema, "tag", atom.value.casefold())
    if atom.name == "is" and atom.value in ("read", "unread", "starred"):
        mark = "starred" if atom.value == "starred" else "read"
        marked = term_query(schema, "flag", member_flag(mark, member))
        if atom.value != "unread":
            return marked
        return Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, marked)])
    if atom.name == "annotator":
        return term_query(schema, "flag", member_flag("annotated", atom.value))
    if atom.name in ("is", "has"):
        return term_query(schema, "flag", atom.value if atom.name == "is" else "note")
    if atom.name == "color":
        return term_query(schema, "color", atom.value)
    if atom.name == "code":
        return term_query(schema, "code", " ".join(atom.value.split()).casefold())
    if atom.day is None:
        return None
    if atom.name == "before":
        return Q.range_query(schema, "date", tantivy.FieldType.Integer, None, _day_start(atom.day),
                             include_upper=False)  # fmt: skip
    next_day = _day_start(atom.day) + 86_400
    return Q.range_query(schema, "date", tantivy.FieldType.Integer, next_day, None)
