"""GeniusWeb JSON import: LinearAdditiveUtilitySpace profiles with discrete and number value
sets, both key spellings, and null / absent / given reservation bids."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from arena.game import Game, GameError, load_game
from arena.importers import detect_format, import_domain

DATA = Path(__file__).parent / "data" / "genius" / "geniusweb"

# A: 0.2 * (yes 1, no 0) + 0.5 * (salary - 2000) / 2000 + 0.3 * (5 - days) / 2
# B: 0.4 * (yes 0.3, no 1) + 0.4 * (1 - 0.8 (salary - 2000) / 2000) + 0.2 * (days - 3) / 2
BIDS = [
    ({"lease_car": "yes", "salary": "3500", "work_days": 4}, 0.725, 0.38),
    ({"lease_car": "no", "salary": "2000", "work_days": 3}, 0.3, 0.8),
    ({"lease_car": "yes", "salary": "4000", "work_days": 5}, 0.7, 0.12 + 0.08 + 0.2),
    ({"lease_car": "no", "salary": "2500", "work_days": 5}, 0.125, 0.4 + 0.4 * 0.8 + 0.2),
]


def game() -> Game:
    return Game(import_domain(DATA))


def test_structure_and_names() -> None:
    g = game()
    assert detect_format(DATA) == "geniusweb"
    assert g.role_names == ["profilea", "profileb"]
    assert g.space.names == ["lease_car", "salary", "work_days"]
    lease, salary, days = g.space.issues
    assert lease.values == ["yes", "no"] and "lease car" in lease.words  # type: ignore[union-attr]
    # a stepped number range becomes its values by name; a step-1 integer range an integer issue
    salaries = ["2000", "2500", "3000", "3500", "4000"]
    assert (salary.type, salary.values) == ("discrete", salaries)  # type: ignore[union-attr]
    assert (days.type, days.min, days.max) == ("integer", 3, 5)  # type: ignore[union-attr]
    assert g.spec.roles[0].discount == 1.0 and g.spec.roles[0].discount_basis == "round"
    assert "lease car" in g.spec.narrative and "jobs" in g.spec.narrative


@pytest.mark.parametrize(("bid", "ua", "ub"), BIDS)
def test_utilities_match_hand_computed(bid: dict, ua: float, ub: float) -> None:
    u = game().utilities(bid)
    assert u["profilea"] == pytest.approx(ua, abs=1e-12)
    assert u["profileb"] == pytest.approx(ub, abs=1e-12)


def test_reservation_bids() -> None:
    g = game()
    # A: "reservationBid": null -> no reservation bid, reservation value 0
    # B: the utility of (no, 3000, 4) = 0.4 * 1 + 0.4 * 0.6 + 0.2 * 0.5
    assert g.utilities(None) == pytest.approx({"profilea": 0.0, "profileb": 0.74})


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "jobs"
    shutil.copytree(DATA, dst)
    return dst


def _rewrite(path: Path, fn: Callable[[dict], object]) -> None:
    data = json.loads(path.read_text())
    fn(data["LinearAdditiveUtilitySpace"])
    path.write_text(json.dumps(data))


def test_absent_reservation_bid_and_profiles_without_domain_file(tmp_path: Path) -> None:
    dst = _copy(tmp_path)
    _rewrite(dst / "profileB.json", lambda p: p.pop("reservationBid"))
    (dst / "jobs.json").unlink()  # every profile carries its domain
    g = load_game(dst)
    assert g.utilities(None) == {"profilea": 0.0, "profileb": 0.0}
    assert g.utilities(BIDS[0][0])["profileb"] == pytest.approx(0.38)


def test_partial_reservation_bid_counts_missing_issues_as_zero(tmp_path: Path) -> None:
    dst = _copy(tmp_path)
    _rewrite(dst / "profileB.json", lambda p: p.update(reservationBid={"issuevalues": {"lease car": "no"}}))
    assert Game(import_domain(dst)).utilities(None)["profileb"] == pytest.approx(0.4)


def test_a_profile_file_loads_its_folder() -> None:
    assert load_game(DATA / "profileB.json").role_names == ["profileb", "profilea"]
    assert load_game(DATA / "jobs.json").role_names == ["profilea", "profileb"]


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda p: p["issueUtilities"]["lease car"]["discreteutils"]["valueUtilities"].pop("no"),
         ["profileA.json", "'lease car'", "'no' has no utility"]),
        (lambda p: p["issueUtilities"]["lease car"]["discreteutils"]["valueUtilities"].update(maybe=0.5),
         ["profileA.json", "'maybe'"]),
        (lambda p: p["issueUtilities"]["lease car"]["discreteutils"]["valueUtilities"].update(yes=1.5),
         ["profileA.json", "outside [0, 1]"]),
        (lambda p: p["issueWeights"].update({"salary": 0.6}), ["profileA.json", "sum to 1.1"]),
        (lambda p: p["issueWeights"].pop("salary"), ["profileA.json", "issueWeights", "'salary'"]),
        (lambda p: p["issueUtilities"]["salary"]["numberutils"].update(highValue=5000),
         ["profileA.json", "'salary'", "the range is 2000..4000"]),
        (lambda p: p.update(reservationBid={"issuevalues": {"lease car": "perhaps"}}),
         ["profileA.json", "reservationBid", "'perhaps'"]),
        (lambda p: p["issueUtilities"].update({"salary": {"tableutils": {}}}), ["profileA.json", "'tableutils'"]),
    ],
)
def test_malformed_profiles_name_the_file_and_element(tmp_path: Path, edit: Callable[[dict], object],
                                                      fragments: list[str]) -> None:
    dst = _copy(tmp_path)
    _rewrite(dst / "profileA.json", edit)
    with pytest.raises(GameError) as info:
        import_domain(dst)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


def test_invalid_json_and_unsupported_profile_types(tmp_path: Path) -> None:
    dst = _copy(tmp_path)
    (dst / "profileA.json").write_text('{"LinearAdditiveUtilitySpace": {')
    with pytest.raises(GameError, match=r"profileA\.json: is not valid JSON"):
        import_domain(dst)
    dst2 = tmp_path / "other"
    shutil.copytree(DATA, dst2)
    body = json.loads((dst2 / "profileA.json").read_text())["LinearAdditiveUtilitySpace"]
    (dst2 / "profileA.json").write_text(json.dumps({"SumOfGroupsUtilitySpace": body}))
    with pytest.raises(GameError, match="'SumOfGroupsUtilitySpace' is not supported"):
        import_domain(dst2, profiles=["profileA.json", "profileB.json"])


def test_plays_between_scripted_agents() -> None:
    from arena.runner import run_match

    g = game()
    t = run_match(g, "conceder", "linear", seed=1)
    end = t.end
    assert end is not None and end.outcome == "agreement" and end.agreement is not None
    assert end.utilities == pytest.approx(g.utilities(end.agreement, end.agreement_round or 1))
    assert end.utilities["profileb"] >= 0.74 - 1e-9  # never below its reservation bid
