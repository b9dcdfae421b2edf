"""Constructs met in real Genius / GeniusWeb files (shipped ANAC copies), each reproduced by a
small hand-written domain in tests/data/genius/ and checked against hand-computed utilities."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arena.game import Game, GameError
from arena.importers import import_domain

DATA = Path(__file__).parent / "data" / "genius"


def game(folder: str, **kw: object) -> Game:
    return Game(import_domain(DATA / folder, **kw))  # type: ignore[arg-type]


def _copy(tmp_path: Path, folder: str) -> Path:
    dst = tmp_path / folder
    shutil.copytree(DATA / folder, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# ---------------------------------------------------------------------- negative evaluations
@pytest.mark.parametrize(("bid", "ann", "ben"), [
    # ann: Colour 0.6 * eval / 4 (red 2, green -1, blue 4); Size: every evaluation is negative, so the
    #      maximum (-0.5) is below 1e-5 and Genius's EvaluatorDiscrete gives every size 0
    # ben: Colour 0.5 * eval / 3 (red 1, green 3, blue 0) + Size 0.5 * eval / 2 (small 1, large 2)
    (("red", "small"), 0.3, 0.5 / 3 + 0.25),
    (("green", "large"), -0.15, 1.0),
    (("blue", "large"), 0.6, 0.5),
])
def test_negative_evaluations_are_taken_as_genius_loads_them(bid: tuple[str, str], ann: float, ben: float) -> None:
    """Shipped copies of ANAC profiles (Travel's travel_chox.xml as NegMAS carries it) have
    negative evaluations; Genius's loader keeps them and divides by the issue's maximum."""
    u = game("negative").utilities({"Colour": bid[0], "Size": bid[1]})
    assert u["ann"] == pytest.approx(ann, abs=1e-12)
    assert u["ben"] == pytest.approx(ben, abs=1e-12)


def test_negative_reservation_and_type_any() -> None:
    g = game("negative")
    assert g.utilities(None) == {"ann": -0.1, "ben": 0.0}  # a negative reservation value, as written
    assert g.spec.roles[0].discount == 1.0  # discount_factor 0.0 means no discount


# ---------------------------------------------------------------------- nested objectives, weights per level
@pytest.mark.parametrize(("bid", "hirer", "worker"), [
    # hirer: Price 0.5 * (low 1/3, high 1) + Bonus 0.2 * (none 0, some 1) + Start 0.3 * (now 1, later 0.2);
    #        the objectives' own weights (0.7, 0.3) and the stray <weight index="2"> inside "Time" are not used
    # worker: Price 0.4 * (low 1, high 0.25) + Bonus 0.4 * (none 1, some 0) + Start 0.2 * (now 0.5, later 1)
    (("high", "some", "now"), 1.0, 0.2),
    (("low", "none", "later"), 0.5 / 3 + 0.06, 1.0),
    (("low", "some", "now"), 0.5 / 3 + 0.5, 0.5),
])
def test_nested_objectives_use_each_levels_issue_weights(bid: tuple[str, str, str], hirer: float,
                                                        worker: float) -> None:
    """Genius reads the weights of each level of the objective tree and gives an issue the weight
    with its index among its siblings; objective weights do not enter the additive utility."""
    g = game("nested")
    assert g.space.names == ["Price", "Bonus", "Start"]
    u = g.utilities(dict(zip(["Price", "Bonus", "Start"], bid)))
    assert u["hirer"] == pytest.approx(hirer, abs=1e-12)
    assert u["worker"] == pytest.approx(worker, abs=1e-12)
    assert g.spec.roles[0].utility.weights == {"Price": 0.5, "Bonus": 0.2, "Start": 0.3}  # type: ignore[union-attr]


# ---------------------------------------------------------------------- XML as Genius's own parser reads it
@pytest.mark.parametrize(("bid", "p1", "p2"), [
    # p1 (UTF-8 with a BOM, a bare "&", a repeated attribute, a comment inside): Team 0.75 * (R&D 3, Café 2) / 3
    #    + Days 0.25 * (one 1, two 2) / 2
    # p2 (ISO-8859-1, DOCTYPE): Team 0.5 * (R&D 4, Café 1) / 4 + Days 0.5 * (one 3, two 1) / 3
    (("R&D", "one"), 0.75 + 0.125, 1.0),
    (("Caf\u00e9", "two"), 0.5 + 0.25, 0.125 + 0.5 / 3),
])
def test_encodings_and_lenient_xml(bid: tuple[str, str], p1: float, p2: float) -> None:
    g = game("lenient")  # the domain file is UTF-16 with a byte-order mark
    assert g.space.issue("Team").values == ["R&D", "Caf\u00e9"]  # type: ignore[union-attr]
    u = g.utilities({"Team": bid[0], "Days": bid[1]})
    assert u["p1"] == pytest.approx(p1, abs=1e-12)
    assert u["p2"] == pytest.approx(p2, abs=1e-12)


def test_unbalanced_tags_are_still_an_error(tmp_path: Path) -> None:
    dst = _copy(tmp_path, "lenient")
    raw = (dst / "p1.xml").read_bytes()
    (dst / "p1.xml").write_bytes(raw.replace(b"</objective>", b""))
    with pytest.raises(GameError, match=r"p1\.xml: is not well-formed XML"):
        import_domain(dst)


# ---------------------------------------------------------------------- clear errors
def test_constraint_profiles_are_rejected_by_name(tmp_path: Path) -> None:
    dst = _copy(tmp_path, "negative")
    (dst / "ben.xml").write_text('<utility_space type="constraint">\n<objective index="0" name="Shop">\n'
                                 '<rules><ranks/><constraints/></rules>\n</objective>\n</utility_space>\n')
    with pytest.raises(GameError, match=r"ben\.xml: is a Genius constraint profile"):
        import_domain(dst)


def test_a_value_missing_from_the_profile_names_what_the_profile_has(tmp_path: Path) -> None:
    """ItexvsCypress_Itex.xml as some copies ship it evaluates "$5.37" where the domain has "$4.37"."""
    dst = _copy(tmp_path, "negative")
    _edit(dst / "ben.xml", 'value="green" evaluation="3"', 'value="greem" evaluation="3"')
    with pytest.raises(GameError) as info:
        import_domain(dst)
    message = str(info.value)
    for fragment in ["ben.xml", "issue 'Colour' (index 1)", "'green' has no evaluation",
                     "the profile has no <item> for it", "evaluates 'greem', which the domain does not have"]:
        assert fragment in message, message


def test_an_item_without_evaluation_is_named_as_such(tmp_path: Path) -> None:
    """ANAC 2016 SmartGridDomain_util1.xml has an <item> without an evaluation attribute."""
    dst = _copy(tmp_path, "negative")
    _edit(dst / "ben.xml", 'value="large" evaluation="2"', 'value="large"')
    with pytest.raises(GameError, match=r"'large' has no evaluation \(its <item> has no evaluation\)"):
        import_domain(dst)


def test_profiles_whose_indices_do_not_match_the_domain_say_so(tmp_path: Path) -> None:
    """Genius matches profile issues to domain issues by index only; when that fails the message
    names the profile's issue at that index (party domain 2..7 against a profile with 1..6)."""
    dst = _copy(tmp_path, "negative")
    text = (dst / "ben.xml").read_text()
    text = text.replace('index="1" etype="discrete" type="discrete" vtype="discrete" name="Colour"', "@1@")
    text = text.replace('index="2" etype="discrete" type="discrete" vtype="discrete" name="Size"',
                        'index="1" etype="discrete" type="discrete" vtype="discrete" name="Size"')
    text = text.replace("@1@", 'index="2" etype="discrete" type="discrete" vtype="discrete" name="Colour"')
    (dst / "ben.xml").write_text(text)
    with pytest.raises(GameError) as info:
        import_domain(dst)
    assert "issue 'Colour' (index 1) (this profile's issue with that index is named 'Size')" in str(info.value)


# ---------------------------------------------------------------------- GeniusWeb number utilities
@pytest.mark.parametrize(("bid", "ua", "ub"), [
    # NumberValueSetUtilities rounds lowU + (highU - lowU) (x - lowV) / (highV - lowV) half-up to 8 decimals:
    # A: days 0.6 * (0, 0.33333333, 0.66666667, 1) + extra 0.4 * (a 1, b 0)
    # B: days 0.5 * (1, 0.66666667, 0.33333333, 0) + extra 0.5 * (a 0.2, b 0.9)
    ((1, "a"), 0.6 * 0.33333333 + 0.4, 0.5 * 0.66666667 + 0.1),
    ((2, "b"), 0.6 * 0.66666667, 0.5 * 0.33333333 + 0.45),
    ((3, "a"), 1.0, 0.1),
])
def test_geniusweb_number_utilities_are_rounded_as_geniusweb_does(bid: tuple[int, str], ua: float, ub: float) -> None:
    g = game("gw-rounding")
    u = g.utilities({"days": bid[0], "extra": bid[1]})
    assert u["profilea"] == pytest.approx(ua, abs=1e-12)
    assert u["profileb"] == pytest.approx(ub, abs=1e-12)
    assert g.space.issue("days").type == "integer"
    assert g.utilities(None) == pytest.approx({"profilea": 0.0, "profileb": 0.45})  # B's reservation bid (3, b)


# ---------------------------------------------------------------------- real issues written by NegMAS
def test_real_linear_evaluators_spelled_offset_and_slope(tmp_path: Path) -> None:
    """NegMAS writes a real issue's linear evaluator as offset/slope where Genius has
    parameter0/parameter1; both mean clip(slope * x + offset, 0, 1)."""
    dst = _copy(tmp_path, "mixed")
    _edit(dst / "buyer.xml", 'parameter0="1.0" parameter1="-0.01"', 'offset="1.0" slope="-0.01"')
    g = Game(import_domain(dst))
    # buyer: 0.5 * eval / 4 (red 2, green 4) + 0.3 * (1 - 0.25 (days - 1)) + 0.2 * (1 - 0.01 price)
    assert g.utility("buyer", {"Paper_Colour": "green", "Delivery_Days": 2, "price": 40.0}) == pytest.approx(
        0.5 + 0.225 + 0.12, abs=1e-12)
    assert g.utility("buyer", {"Paper_Colour": "red", "Delivery_Days": 3, "price": 25.5}) == pytest.approx(
        0.25 + 0.15 + 0.149, abs=1e-12)


def test_geniusweb_partial_ordering_profiles_are_reported_by_type(tmp_path: Path) -> None:
    """ANAC 2020 profiles are partial orderings of bids, not utilities: the import names the type
    instead of finding no profiles in the folder."""
    import json

    folder = tmp_path / "ordering"
    folder.mkdir()
    domain = {"name": "thirds", "issuesValues": {"extra": {"values": ["a", "b"]}}}
    for name in ("orderA", "orderB"):
        (folder / f"{name}.json").write_text(json.dumps({"DefaultPartialOrdering": {
            "name": name, "domain": domain, "better": [[0, 1]], "reservationbid": None,
            "bids": [{"issuevalues": {"extra": "a"}}, {"issuevalues": {"extra": "b"}}]}}))
    with pytest.raises(GameError, match=r"orderA\.json: profile type 'DefaultPartialOrdering' is not supported"):
        import_domain(folder)


def test_a_domain_file_named_domain_takes_its_folders_name() -> None:
    """ANAC 2014 folders (10issues, 30issuesDiscounted, ...) all call their domain file domain.xml."""
    assert game("nonlinear").name == "nonlinear"
    assert game("fruit").name == "fruit_domain"  # a specific file name is kept
