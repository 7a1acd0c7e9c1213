"""Answers belong to personas by content: a regenerated persona's old answers are not its own; a
record that cannot be used is named by its line, never scored, never a crash."""

from __future__ import annotations

import json

from hachimi.survey.answers import bind, persona_hash, read


def _rec(pid, h, block=0, kind="main", **kw):
    return {
        "persona": pid,
        "persona_hash": h,
        "kind": kind,
        "block": block,
        "items": ["J1"],
        "scores": {"J1": 3},
        "refused": [],
        "error": None,
    } | kw


def test_the_hash_is_of_the_content_not_the_key_order():
    a = {"id": "p1", "x": {"b": 1, "a": "我"}}
    b = {"x": {"a": "我", "b": 1}, "id": "p1"}
    assert persona_hash(a) == persona_hash(b) != persona_hash(a | {"x": {"a": "你", "b": 1}})


def test_bind_keeps_the_answers_of_the_personas_as_they_are():
    p1, p2 = {"id": "p1", "v": 1}, {"id": "p2", "v": 2}
    h1, h2 = persona_hash(p1), persona_hash(p2)
    old_p2 = persona_hash({"id": "p2", "v": 0})
    records = [
        _rec("p1", h1),
        _rec("p2", old_p2),  # p2 answered, then was regenerated: not p2's answer any more
        _rec("p3", "0" * 16),  # p3 is gone
        _rec("p1", h1, block=1, error="engine down"),  # an error is not an answer
        _rec("legacy", None),
    ]
    b = bind(records, [p1, p2, {"id": "legacy"}])
    assert [r["persona"] for r in b.records] == ["p1"]
    assert (b.changed, b.missing, b.superseded) == (2, 1, 0)  # a record with no hash cannot be trusted
    assert b.changed_personas == {"p2", "legacy"} and b.missing_personas == {"p3"}
    assert "changed since they answered" in b.summary() and "no longer exist" in b.summary()
    # p2 asked again: its new answer counts, the old one is superseded (not reported as changed)
    b = bind([*records, _rec("p2", h2)], [p1, p2])
    assert sorted(r["persona"] for r in b.records) == ["p1", "p2"] and b.superseded == 1 and b.changed == 0


def test_unusable_records_are_named_by_line(tmp_path):
    good = _rec("p1", "h")
    lines = [
        json.dumps(good),
        json.dumps({k: v for k, v in good.items() if k != "persona"}),  # no persona
        json.dumps(good | {"kind": "sideways"}),
        json.dumps(good | {"block": "0"}),
        json.dumps(good | {"scores": {"J1": "three"}}),
        json.dumps(good | {"items": ["J9"], "scores": {"J9": 1}}),  # not in the instrument
        json.dumps(good | {"scores": {}}),
        "[1, 2]",
        '{"persona": "p1", "kind": "main", "blo',  # torn last line
    ]
    (tmp_path / "answers.jsonl").write_text("\n".join(lines), encoding="utf-8")
    got = read(tmp_path, {"J1"})
    assert len(got.records) == 1
    why = dict(got.problems)
    assert sorted(why) == list(range(2, 10))
    assert why[2] == "no persona id" and "kind 'sideways'" in why[3] and why[4] == "block is not a number"
    assert why[5] == "a score is not a number" and why[6] == "item J9 is not in the instrument"
    assert why[7] == "scores do not match items"
