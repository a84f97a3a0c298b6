"""What the tracker's downloads hold, as a test reads them."""
from tracker.contract import BOM


def csv_text(data: bytes | str) -> str:
    """A CSV file's text, which must begin with the byte-order mark by which Excel reads it as UTF-8 (dropped)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    assert text.startswith(BOM), "a CSV the tracker writes begins with a byte-order mark"
    return text[len(BOM):]
