import codecs

import pytest

from newsreader.core.ingest.decode import decode_bytes
from newsreader.core.ingest.errors import ExtractionError

TEXT = "Café au lait — “quoted” naïve"


def test_utf8_declared_as_utf8_decodes() -> None:
    page = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_bytes(page)


def test_latin1_bytes_declared_as_utf8_are_detected_not_garbled() -> None:
    page = '<meta charset="utf-8"><p>Café crème à la française, déjà vu</p>'.encode("latin-1")
    assert "Café crème à la française, déjà vu" in decode_bytes(page)


def test_utf8_bytes_declared_as_latin1_are_read_as_utf8() -> None:
    page = f'<meta charset="iso-8859-1"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_bytes(page)


def test_cp1252_declared_as_latin1_keeps_its_curly_quotes() -> None:
    page = '<meta charset="iso-8859-1"><p>“quoted”</p>'.encode("cp1252")
    assert "“quoted”" in decode_bytes(page)


def test_a_byte_order_mark_wins() -> None:
    assert decode_bytes(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")) == TEXT


def test_other_declared_charsets_are_honoured() -> None:
    page = '<meta charset="koi8-r"><p>Привет мир</p>'.encode("koi8-r")
    assert "Привет мир" in decode_bytes(page)


@pytest.mark.parametrize(
    "data", [b"\x00\x01\x02\x03" * 100, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"]
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="binary"):
        decode_bytes(data)


def test_utf8_with_a_stray_byte_stays_utf8() -> None:
    page = "<p>Café crème, Ελληνικά, naïve déjà vu</p>".encode() + b"\xff" + b"<p>fin</p>"
    text = decode_bytes(page)
    assert "Café crème, Ελληνικά, naïve déjà vu" in text
    assert "\ufffd" in text
