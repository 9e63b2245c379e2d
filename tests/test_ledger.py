"""The seed's ledger: every item has a status and evidence, every wrong item a verify row that could fail."""

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minicompress.checks import CHECKS, load_checks
from minicompress.ledger import GLOSSARY, ITEMS, STATUSES, format_ledger, select
from minicompress.ledger.diagram import CORRECTED, NODES, SEED_EDGES, TEXT_EDGES, compare_with_text
from minicompress.ledger.glossary import FLAGS
from minicompress.ledger.references import PAIRS, arxiv_year, differences
from minicompress.text import pad, table, text_width, wrap

ROOT = Path(__file__).resolve().parents[1]
load_checks()
ERRORS = [i for i in ITEMS if i.status in ("wrong", "misleading")]


def test_the_ledger_covers_the_seed_from_abstract_to_signature():
    assert len(ITEMS) >= 80
    sections = [i.section for i in ITEMS]
    assert sections[0] == "abstract" and sections[-1] == "author"
    for s in ("§1", "§2.1", "§2.2", "§2.3", "§3.1", "§3.2.1", "§3.2.2", "§3.3", "§3.4", "§4.1", "§4.2", "§4.3",
              "§5.1", "§5.2", "§5.2.5", "§5.2.6", "§6.1", "§6.2", "§6.3", "§7.1", "§7.2", "§7.3", "§8.1", "§8.2",
              "§8.3", "§8.4", "§9.1", "§9.2"):
        assert s in sections, s


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: f"{i.section}:{i.term}")
def test_each_item_has_a_status_evidence_and_a_term_not_a_sentence(item):
    assert item.status in STATUSES
    assert len(item.evidence) > 10 and len(item.claim) > 10
    assert len(item.term) <= 30 and "。" not in item.term      # a term or a number from the seed, never a sentence
    assert item.check is None or item.check in CHECKS, item.check
    if item.status in ("wrong", "misleading"):
        assert item.check, "a wrong or misleading item points to the verify row that shows it"


def test_the_code_each_item_names_exists():
    for item in ITEMS:
        for path in re.findall(r"[\w/]+\.py", item.where):
            assert (ROOT / "minicompress" / path).exists(), (item.term, path)
        for fig in re.findall(r"figures/[\w]+\.png", item.where):
            assert (ROOT / fig).exists(), fig


@pytest.fixture(scope="module")
def outcomes():
    """Each verify row the ledger points to, run once."""
    names = sorted({i.check for i in ITEMS if i.check})
    return {n: CHECKS[n].fn() for n in names}


def test_verify_names_every_error_the_ledger_finds(outcomes):
    for item in ERRORS:
        o = outcomes[item.check]
        assert o.ok, (item.check, o)
        assert o.claim_ok is False, f"{item.section} {item.term}: row {item.check!r} does not mark the seed wrong"


def test_every_probed_row_fails_on_the_seeds_value():
    probed = {n: s for n, s in CHECKS.items() if s.probe is not None}
    assert len(probed) >= 17
    for name, spec in probed.items():
        assert spec.fn(spec.probe).ok is False, name
    # every row the ledger's errors rely on, except the rows that recompute the seed's own numbers, is probed
    recomputing = {"L(ŵ) = Σ(ŵ_i − y_i)², y = [1, 2, 3]", "L_g(ŷ, y_g) = Σ(ŷ_i − y_g,i)²",
                   "L_s(ŷ, y_s) = Σ(ŷ_i − y_s,i)²", "seed's soft label and outputs are distributions",
                   "seed §5.2 code listing, rewritten"}
    assert {i.check for i in ERRORS} - set(probed) <= recomputing


def test_the_numbers_the_evidence_quotes_are_the_rows_numbers(outcomes):
    quoted = {"quantization keeps the parameter count": ["340,008", "89,190", "3.81×"],
              "what distillation adds to training a student": ["7.9%", "47.6×"],
              "§3.2.1 as written: round each weight": ["99.99%"],
              "§5.2 listing: the teacher never reaches the student": ["0.6184"],
              "L_s(ŷ, y_s) = Σ(ŷ_i − y_s,i)²": ["0.2551"],
              "soft labels: softmax(z/T), not a normalisation": ["746"],
              "§2.1 'performance kept' at every precision": ["98.4", "49.1"]}
    for name, numbers in quoted.items():
        o = outcomes.get(name) or CHECKS[name].fn()
        text = f"{o.expected} {o.computed} {o.note}"
        evidence = " ".join(i.evidence for i in ITEMS if i.check == name)
        for n in numbers:
            assert n in text, (name, n, text)
            assert n in evidence, (name, n)


def test_the_two_rows_that_passed_by_construction_now_could_fail():
    full = CHECKS["full precision is already rounded: float32(0.1)"]
    soft = CHECKS["soft labels: softmax(z/T), not a normalisation"]
    assert full.fn().ok and not full.fn(0.1).ok          # 0.1 itself: what "keeps all information" would give
    assert soft.fn().ok and not soft.fn(soft.probe).ok
    assert not soft.fn(([0.366, 0.634], [0.9, 0.1, 0.0], 746)).ok   # the seed's ŷ as y_g normalised


def test_select_filters_and_refuses_what_is_not_there():
    assert all(i.status == "wrong" for i in select("wrong"))
    assert {i.section for i in select(section="§5.2")} == {"§5.2", "§5.2.5", "§5.2.6"}
    with pytest.raises(ValueError, match="unknown status 'wrongish'"):
        select("wrongish")
    with pytest.raises(ValueError, match="no section '§11'"):
        select(section="§11")
    text = format_ledger(select(section="§4.3"))
    assert "1806" in text and "verify row" in text and text.rstrip().endswith("misleading")


def test_the_diagram_check_counts_edges_by_hand():
    c = compare_with_text()
    assert len(SEED_EDGES) == 14 and (len(c["agree"]), len(c["contradict"]), len(c["missing"])) == (6, 8, 7)
    assert compare_with_text(TEXT_EDGES)["contradict"] == []
    # a made-up edge from A to a node the text never mentions is neither agreeing nor contradicting
    assert compare_with_text((("A", "Z"),))["unknown"] == [("A", "Z")]


def test_the_corrected_diagram_places_every_seed_node():
    letters = set()
    for *_, replaces in CORRECTED:
        letters |= {x.strip() for x in replaces.split(",") if x.strip()}
    assert letters == set(NODES)
    ids = {node for node, *_ in CORRECTED}
    assert all(parent is None or parent in ids for _, _, parent, _ in CORRECTED)


def test_references_and_arxiv_years():
    assert arxiv_year("1503.02531") == 2015 and arxiv_year("1606.04455") == 2016
    for bad in ("1503.025", "15a3.02531", "1513.02531", ""):
        with pytest.raises(ValueError, match="YYMM"):
            arxiv_year(bad)
    for printed, published in PAIRS.values():
        assert differences(published, published) == []
        assert differences(printed, published)


def test_glossary_flags_have_reasons_and_name_real_code():
    assert len(GLOSSARY) >= 20
    for t in GLOSSARY:
        assert t.flag in FLAGS
        assert (t.flag == "standard") == (t.reason == ""), t.seed
        for token in re.split(r",\s*", t.code):
            name = token.split("(")[0].strip()
            if name == "-":
                continue
            try:
                importlib.import_module(f"minicompress.{name}")
            except ImportError:
                module, attr = name.rsplit(".", 1)
                assert hasattr(importlib.import_module(f"minicompress.{module}"), attr), name
    flagged = {t.seed for t in GLOSSARY if t.flag != "standard"}
    assert {"量化量化", "小数量化", "参数蒸馏", "多标签蒸馏"} <= flagged


def test_text_width_counts_terminal_columns():
    assert text_width("量化") == 4 and text_width("q = 0.1") == 7 and text_width("é") == 1
    assert text_width("e\u0301") == 1                     # a combining accent takes no column
    assert pad("量化", 6) == "量化  " and pad("long", 2) == "long"
    lines = table([("量化量化", "x")], (6, None)).splitlines()
    assert lines == ["量化量", "化"] or lines[0].startswith("量化量")


@given(st.text(alphabet=st.sampled_from(list("ab 量化 q=0.1")), max_size=80), st.integers(2, 20))
def test_wrap_keeps_every_character_and_respects_the_width(text, width):
    lines = wrap(text, width)
    assert all(text_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_refuses_a_width_too_small_for_a_wide_character():
    with pytest.raises(ValueError, match="at least 2"):
        wrap("量", 1)


def test_the_readme_counts_are_the_ledgers():
    from collections import Counter
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    c = Counter(i.status for i in ITEMS)
    assert (f"{len(ITEMS)} items from the keywords to the signature" in readme.replace("\n", " "))
    text = " ".join(readme.split())
    assert (f"({c['right']} right, {c['wrong']} wrong, {c['misleading']} misleading, {c['not checkable']} not "
            f"checkable, {c['out of scope']} out of scope for an MLP)") in text
    for t in GLOSSARY:
        assert f"| {t.seed} | {t.english} |" in readme, t.seed


def test_the_taxonomy_figure_data_marks_the_contradicted_edges():
    from minicompress.plots.seed import seed_taxonomy_data
    d = seed_taxonomy_data()
    labels, pos, edges = d["seed"]
    assert sum(v == "contradicts" for *_, v in edges) == 8 and len(edges) == 14
    assert len(set(pos.values())) == len(pos) == 15                  # no two boxes on one spot
    labels, pos, edges = d["corrected"]
    assert len(set(pos.values())) == len(pos) and all(v == "agrees" for *_, v in edges)
