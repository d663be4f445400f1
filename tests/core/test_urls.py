import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsreader.core.urls import host_of, normalize_url


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("https://example.com/a/b", "https://example.com/a/b"),
        ("HTTP://WWW.Example.COM/a/B", "https://example.com/a/B"),
        ("http://example.com/a/b/", "https://example.com/a/b"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://example.com:8080/a", "https://example.com:8080/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("  https://example.com/a\n", "https://example.com/a"),
        ("https://example.com/a b", "https://example.com/a%20b"),
    ],
)
def test_equivalent_spellings_of_an_article_url_normalize_to_one_form(
    url: str, normalized: str
) -> None:
    assert normalize_url(url) == normalized


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=twitter&utm_medium=social&utm_campaign=x",
        "fbclid=IwAR0abc",
        "gclid=abc123",
        "mc_cid=abc&mc_eid=def",
        "_hsenc=p2ANqtz&_hsmi=123",
        "smid=tw-share",
        "igshid=abc",
    ],
)
def test_tracking_parameters_are_dropped(query: str) -> None:
    assert normalize_url(f"https://example.com/story?{query}") == "https://example.com/story"


def test_remaining_query_parameters_are_kept_and_sorted() -> None:
    url = "https://example.com/story?page=2&id=17&utm_source=x"
    assert normalize_url(url) == "https://example.com/story?id=17&page=2"
    assert normalize_url("https://example.com/story?page=2&id=17") == normalize_url(
        "https://example.com/story?id=17&page=2"
    )


def test_a_query_on_the_root_keeps_the_root_slash() -> None:
    assert normalize_url("https://example.com?p=123") == "https://example.com/?p=123"


@pytest.mark.parametrize(
    ("href", "normalized"),
    [
        ("/world/story", "https://example.com/world/story"),
        ("story-2", "https://example.com/news/story-2"),
        ("../sport/match", "https://example.com/sport/match"),
        ("//cdn.example.org/a", "https://cdn.example.org/a"),
        ("?page=2", "https://example.com/news/story?page=2"),
        ("https://other.org/x/", "https://other.org/x"),
    ],
)
def test_relative_links_are_resolved_against_the_base(href: str, normalized: str) -> None:
    assert normalize_url(href, base="https://www.example.com/news/story") == normalized


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "javascript:void(0)",
        "mailto:editor@example.com",
        "tel:+441234567890",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/file.txt",
        "/relative/without/base",
        "#top",
        "http://",
        "https://[::1",
        "https://exa mple.com/",
        "https://example.com:99999/",
    ],
)
def test_junk_and_non_web_urls_normalize_to_none(url: str) -> None:
    assert normalize_url(url) is None


def test_a_scheme_relative_url_counts_as_https() -> None:
    assert normalize_url("//example.com/a") == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.BBC.co.uk/news/world", "bbc.co.uk"),
        ("http://example.com:8080/x", "example.com"),
        ("https://news.example.org", "news.example.org"),
        ("https://www.example.com./a", "example.com"),
        ("mailto:someone@example.com", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_host_of_gives_the_lowercase_host_without_www(url: str | None, host: str | None) -> None:
    assert host_of(url) == host


@given(st.text(max_size=200))
def test_normalize_url_never_raises_on_any_text(text: str) -> None:
    result = normalize_url(text, base="https://example.com/a/")
    assert result is None or result.startswith("https://")


_URLS = st.builds(
    lambda scheme, www, host, path, query, frag: (
        f"{scheme}://{www}{host}/{path}{'?' + query if query else ''}{'#' + frag if frag else ''}"
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "www.", "WWW."]),
    st.from_regex(r"[a-z]{1,10}\.(com|org|co\.uk)", fullmatch=True),
    st.from_regex(r"([a-zA-Z0-9_~-]{1,8}/){0,3}[a-zA-Z0-9._-]{0,8}/?", fullmatch=True),
    st.from_regex(r"([a-z_]{1,6}=[a-z0-9]{0,4}&){0,3}", fullmatch=True),
    st.from_regex(r"[a-z]{0,5}", fullmatch=True),
)


@given(_URLS)
def test_normalizing_twice_changes_nothing(url: str) -> None:
    once = normalize_url(url)
    assert once is not None
    assert normalize_url(once) == once
