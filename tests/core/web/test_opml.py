from pathlib import Path

import pytest

from newsreader.core.archive import Archive
from newsreader.core.web.feeds import FeedError
from newsreader.core.web.opml import export_opml, import_opml, parse_opml

OTHER_READER_OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Exported from another reader</title></head><body>
  <outline text="Tech" title="Tech">
    <outline type="rss" text="Ars &amp; Co" xmlUrl="https://ars.example/feed" htmlUrl="https://ars.example/"/>
    <outline text="Deep">
      <outline type="rss" text="Nested" xmlUrl="https://nested.example/rss"/>
    </outline>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="https://loose.example/atom.xml"/>
  <outline type="rss" text="Broken" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_an_opml_file_subscribes_to_every_feed_in_its_folder(archive: Archive) -> None:
    feeds = archive.feeds
    report = import_opml(feeds, OTHER_READER_OPML)
    assert len(report.added) == 3 and report.failed == [
        ("Broken", "not a web address: 'file:///etc/passwd'")
    ]
    subscribed = {f.url: (f.title, f.folder) for f in feeds.list_feeds()}
    assert subscribed == {
        "https://ars.example/feed": ("Ars & Co", "Tech"),
        "https://nested.example/rss": ("Nested", "Tech / Deep"),
        "https://loose.example/atom.xml": ("Loose", ""),
    }
    again = import_opml(feeds, OTHER_READER_OPML)
    assert (len(again.added), len(again.already)) == (0, 3)


def test_exported_opml_brings_the_same_subscriptions_into_a_new_archive(
    archive: Archive, tmp_path: Path
) -> None:
    feeds = archive.feeds
    import_opml(feeds, OTHER_READER_OPML)
    exported = export_opml(feeds.list_feeds())
    with Archive(tmp_path / "other.sqlite3") as other:
        import_opml(other.feeds, exported.encode())
        moved = {(f.url, f.title, f.folder, f.site_url) for f in other.feeds.list_feeds()}
    assert moved == {(f.url, f.title, f.folder, f.site_url) for f in feeds.list_feeds()}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><opml><body/></opml>", "entities"),
        (b"<opml><body><outline", "not a readable OPML"),
        (b"<html><body>hi</body></html>", "not an OPML file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a readable OPML"),
    ],
)
def test_hostile_or_broken_opml_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_opml(data)
