import json

import pytest

from pipeline.journal import decode_line, encode_line

RECORDS = [
    {"seq": 0, "key": "ab" * 16, "doc_id": "2024/lauf1", "words": 412,
     "rows": {"quotes": [{"quote": "„Ein starkes Rennen“\n", "confidence": 0.85, "speaker": None}]}},
    {"doc_id": "x\ud800y", "rows": {}},  # a lone surrogate from a JSON input id
    {"big": 2 ** 70, "small": -(2 ** 63), "float": 1e16, "nested": [[], {}, [1.5, None, True]]},
    {"text": "\x00\x1f\u2028\u2029\ufeff😀", "int key": {"1": "x"}},
]


@pytest.mark.parametrize("record", RECORDS)
def test_every_record_reads_back_as_it_was_written(record: dict) -> None:
    line = encode_line(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one record per line, whatever the text holds
    assert decode_line(line) == record


def test_integers_beyond_64_bits_stay_integers() -> None:
    assert decode_line(encode_line({"n": 2 ** 70}))["n"] == 2 ** 70  # not 1.18e21


def test_nan_reads_back_as_a_missing_value() -> None:
    assert decode_line(encode_line({"confidence": float("nan")})) == {"confidence": None}


def test_lines_of_the_json_module_are_read() -> None:
    # journals written before orjson, and NaN as the json module writes it
    for record in RECORDS:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "surrogatepass")
        assert decode_line(line) == record
    assert decode_line(b'{"confidence":NaN}\n')["confidence"] != 0.0


@pytest.mark.parametrize("line", [b'{"seq": 1', b'{"seq": 1}', b"[1, 2]\n", b"\xff\xfe\n", b"{oops}\n", b"\n", b" \n"])
def test_torn_or_garbled_lines_are_none(line: bytes) -> None:
    assert decode_line(line) is None
