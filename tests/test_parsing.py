"""The parser: structured blocks (last one wins), prose per game, perspective, negation, spans."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from arena.game import Game, GameSpec, load_game
from arena.parsing import ParseContext, Parsed, ParseFailure, parse
from arena.space import IntegerIssue


@cache
def game(name: str, seed: int | None = None) -> Game:
    return load_game(name, seed=seed)


@cache
def dond(books: int = 3, hats: int = 2, balls: int = 1) -> Game:
    """Deal or No Deal with fixed counts (alice is the recipient of every issue)."""
    spec = load_game("deal-or-no-deal", seed=0).spec
    issues = [IntegerIssue(name=p, min=0, max=c, recipient="alice", item=i, synonyms=[i])
              for i, p, c in zip(("book", "hat", "ball"), ("books", "hats", "balls"), (books, hats, balls))]
    data = spec.model_dump()
    data["issues"] = [i.model_dump() for i in issues]
    return Game(GameSpec.model_validate(data))


def read(text: str, g: Game, speaker: str, standing: dict[str, Any] | None = None,
         by: str | None = None) -> Parsed | ParseFailure:
    return parse(text, ParseContext(g, speaker, standing, by))


def offer_of(text: str, g: Game, speaker: str) -> dict[str, Any]:
    res = read(text, g, speaker)
    assert isinstance(res, Parsed), res
    assert res.action.kind == "offer", res
    return dict(res.action.bundle)  # type: ignore[union-attr]


# ---------------------------------------------------------------------- prose: contract games
@pytest.mark.parametrize("text, price", [
    ("I can pay $2,400.", 2400),
    ("How about 2,400 dollars?", 2400),
    ("My offer: 2.4k.", 2400),
    ("Price: $2.952k", 2952),
    ("I'd pay two thousand four hundred dollars for the car.", 2400),
    ("three thousand and ninety-four dollars", 3094),
    ("a price of one thousand five hundred and fifty dollars", 1550),
    ("Would you take 2500?", 2500),
    ("You offered $2,000, but I need $2,600.", 2600),
    ("Not $2,000. I can do $2,300.", 2300),
    ("I can't accept $2,000; my offer is $2,300.", 2300),
    ("cost at $2.934k", 2934),
    ("2,998 dollars for the amount", 2998),
    ("I hear you, but that doesn't work for me. My offer: a price of $2,300.", 2300),
    ("I agree the car is lovely, but my offer is $2,300 and that's a fair deal.", 2300),
])
def test_buyer_seller_prices(text: str, price: int) -> None:
    assert offer_of(text, game("buyer-seller"), "buyer") == {"price": price}


@pytest.mark.parametrize("text, bundle", [
    ("a unit price of $95, a lead time of 3 weeks and net 30 payment terms",
     {"price": 95, "lead_time": 3, "payment": "net 30"}),
    ("price $95, delivery time 3 weeks, terms of net 30", {"price": 95, "lead_time": 3, "payment": "net 30"}),
    ("eight weeks of delivery, 100 dollars per unit and payment: Net-60",
     {"price": 100, "lead_time": 8, "payment": "net 60"}),
    ("cost per unit at $104 with payment terms of net 15 and a delivery time of 2 weeks",
     {"price": 104, "lead_time": 2, "payment": "net 15"}),
    ("97 dollars for the price, delivery time: 4 weeks and net 15 payment terms",
     {"price": 97, "lead_time": 4, "payment": "net 15"}),
    ("a price of eighty-eight dollars, a delivery of two weeks and terms of net 60",
     {"price": 88, "lead_time": 2, "payment": "net 60"}),
    ("I could do a price of $100.", {"price": 100}),                 # partial stays partial
    ("Lead time 4 weeks, nothing else changes.", {"lead_time": 4}),
    ("We need 3 weeks.", {"lead_time": 3}),                           # the unit names the issue
])
def test_supplier_contract_terms(text: str, bundle: dict[str, Any]) -> None:
    assert offer_of(text, game("supplier-contract"), "buyer") == bundle


def test_partial_offer_is_less_confident_than_a_complete_one() -> None:
    g = game("supplier-contract")
    part = read("I could do a price of $100.", g, "buyer")
    full = read("a price of $100, a lead time of 3 weeks and net 30 payment terms", g, "buyer")
    assert isinstance(part, Parsed) and isinstance(full, Parsed)
    assert 0 <= part.confidence < full.confidence <= 1


# ---------------------------------------------------------------------- prose: division games
@pytest.mark.parametrize("speaker, text, bundle", [
    ("alice", "I'll take 2 books, you get the rest", {"books": 2, "hats": 0, "balls": 0}),
    ("alice", "you get 1 book and the ball and I keep the rest", {"books": 2, "hats": 2, "balls": 0}),
    ("alice", "2 books and 1 hat for me, and the rest for you", {"books": 2, "hats": 1, "balls": 0}),
    ("alice", "I get all the hats and the ball; you get 1 book", {"books": 2, "hats": 2, "balls": 1}),
    ("alice", "everything goes to me", {"books": 3, "hats": 2, "balls": 1}),
    ("alice", "you take everything and I get nothing", {"books": 0, "hats": 0, "balls": 0}),
    ("alice", "i'll take the ball and 2 books , you get the rest", {"books": 2, "hats": 0, "balls": 1}),
    ("alice", "you can have the hats if i get the books and the ball", {"books": 3, "hats": 0, "balls": 1}),
    ("alice", "I want the books. You can have the hats and the ball.", {"books": 3, "hats": 0, "balls": 0}),
    ("alice", "give me the ball and you can have the rest", {"books": 0, "hats": 0, "balls": 1}),
    ("alice", "two books and one ball for me, and the rest for you", {"books": 2, "hats": 0, "balls": 1}),
    ("alice", "i need the hats you can have everything else", {"books": 0, "hats": 2, "balls": 0}),
    ("alice", "I really need to get the books right. My offer: you get 1 book and all the hats and I keep the rest.",
     {"books": 2, "hats": 0, "balls": 1}),
    ("alice", "I'd like 2 books.", {"books": 2}),                                 # partial stays partial
    ("alice", "I'll give you the hats for the books", {"books": 3, "hats": 0}),
    # the same words from the other side of the table
    ("bob", "I'll take 2 books, you get the rest", {"books": 1, "hats": 2, "balls": 1}),
    ("bob", "you get 1 book and the ball and I keep the rest", {"books": 1, "hats": 0, "balls": 1}),
    ("bob", "2 books and 1 hat for me, and the rest for you", {"books": 1, "hats": 1, "balls": 1}),
    ("bob", "everything goes to me", {"books": 0, "hats": 0, "balls": 0}),
    ("bob", "you take everything and I get nothing", {"books": 3, "hats": 2, "balls": 1}),
    ("bob", "Alice gets the hats and Bob gets the rest.", {"books": 0, "hats": 2, "balls": 0}),
    ("alice", "you can have everything but the ball", {"books": 0, "hats": 0, "balls": 1}),
    ("alice", "I'll take everything except the hats", {"books": 3, "hats": 0, "balls": 1}),
    ("alice", "books: 3 for me, 0 for you; hats: 0 for me, 2 for you; ball: 1 for me", {"books": 3, "hats": 0, "balls": 1}),
    ("alice", "I’ll take 2 books, you get the rest", {"books": 2, "hats": 0, "balls": 0}),   # typographic apostrophe
])



def test_deal_or_no_deal_perspective(speaker: str, text: str, bundle: dict[str, Any]) -> None:
    assert offer_of(text, dond(3, 2, 1), speaker) == bundle


# Human phrasings from the Deal or No Deal corpus (Lewis et al. 2017), as written there.
@pytest.mark.parametrize("counts, speaker, text, bundle", [
    ((3, 2, 1), "alice", "i'll take the ball and 2 books , you get the rest", {"books": 2, "hats": 0, "balls": 1}),
    ((1, 2, 2), "alice", "you can have the hats if i get the book and balls", {"books": 1, "hats": 0, "balls": 2}),
    ((3, 1, 2), "alice", "how about i take the ball and you get the rest ?", {"books": 0, "hats": 0, "balls": 1}),
    ((1, 2, 2), "alice", "i need the hats you can have everything else", {"books": 0, "hats": 2, "balls": 0}),
    ((2, 2, 2), "bob", "both books for you rest for me ?", {"books": 2, "hats": 0, "balls": 0}),
    ((3, 2, 1), "alice", "i would like 1 of each", {"books": 1, "hats": 1, "balls": 1}),
    ((2, 3, 1), "bob", "i just want the ball the rest is yours", {"books": 2, "hats": 3, "balls": 0}),
    ((1, 4, 1), "alice", "ok , for your brother , i'll just take the hats , all the rest to you", {"books": 0, "hats": 4, "balls": 0}),
    ((3, 1, 1), "alice", "okay , take the hat and i will have everything else", {"books": 3, "hats": 0, "balls": 1}),
    ((2, 1, 4), "bob", "you can have 4 balls and i`ll take 2 books and one hat", {"books": 0, "hats": 0, "balls": 4}),
    ((4, 1, 1), "alice", "i will give you 1 ball and all the hats for all the books", {"books": 4, "hats": 0, "balls": 0}),
    ((1, 3, 1), "alice", "i want the book and two hats", {"books": 1, "hats": 2}),            # partial stays partial
])
def test_deal_or_no_deal_corpus_phrasings(counts: tuple[int, int, int], speaker: str, text: str,
                                          bundle: dict[str, Any]) -> None:
    assert offer_of(text, dond(*counts), speaker) == bundle


@pytest.mark.parametrize("name, text", [
    ("logrolling", "I have no time for this."),
    ("logrolling", "The budget matters a great deal to me."),
    ("logrolling", "I really need to get the deadline right."),
    ("split-the-pie", "I think that is a fair split for both of us."),
    ("deal-or-no-deal", "Comparable deals on the market look like this. Anything else would not cover my costs."),
])
def test_justifications_alone_are_not_offers(name: str, text: str) -> None:
    g = game(name, 0)
    res = read(text, g, g.role_names[0])
    assert not (isinstance(res, Parsed) and res.action.kind == "offer"), res


@pytest.mark.parametrize("speaker, text, share", [
    ("buyer", "I take 71.43% of the surplus, and you get the rest", 0.7143),
    ("seller", "I take 71.43% of the surplus, and you get the rest", 0.2857),
    ("buyer", "71.43% of the surplus for me, and the rest for you", 0.7143),
    ("buyer", "you get 28.57% of the surplus and I keep the rest", 0.7143),
    ("buyer", "I'll take half the pie and you get the rest.", 0.5),
    ("seller", "you get a half of the surplus and I keep the rest", 0.5),
    ("buyer", "I take everything and you get nothing", 1.0),
    ("seller", "I take 60 percent, you take 40 percent.", 0.4),
    ("buyer", "I propose a 60/40 split in my favor.", 0.6),
    ("seller", "A 70/30 split, in my favor.", 0.3),
    ("buyer", "Let's split it evenly.", 0.5),
    ("seller", "I'll take 0.65 and you get 0.35.", 0.35),
])
def test_split_the_pie_shares(speaker: str, text: str, share: float) -> None:
    assert offer_of(text, game("split-the-pie"), speaker) == {"share": share}


@pytest.mark.parametrize("speaker, text, dollars", [
    ("proposer", "I keep $70 and you get $30.", 70),
    ("proposer", "you get 30 dollars, I keep the rest", 70),
    ("responder", "I get 40 dollars; you get 60 dollars.", 60),
    ("proposer", "eighty-eight dollars for me, and the rest for you", 88),
])
def test_ultimatum_dollars(speaker: str, text: str, dollars: int) -> None:
    assert offer_of(text, game("ultimatum"), speaker) == {"dollars": dollars}


@pytest.mark.parametrize("speaker, text, bundle", [
    ("bob", "How about: budget 8 to me, deadline 8 to you.", {"budget": 2, "deadline": 8}),
    ("alice", "I'll take 5 units of budget this time, and you get the rest", {"budget": 5, "deadline": 0, "scope": 0}),
    ("alice", "I take 7 units of budget, 2 units of deadline slack and 5 units of scope, and you get the rest",
     {"budget": 7, "deadline": 2, "scope": 5}),
    ("bob", "you get 3 units of budget and I keep the rest", {"budget": 3, "deadline": 0, "scope": 0}),
    ("bob", "one unit of budget, ten units of deadline slack and three units of scope for me, and the rest for you",
     {"budget": 9, "deadline": 0, "scope": 7}),
])
def test_logrolling_units(speaker: str, text: str, bundle: dict[str, Any]) -> None:
    assert offer_of(text, game("logrolling"), speaker) == bundle


# ---------------------------------------------------------------------- accept / reject / walk away
@pytest.mark.parametrize("text, kind", [
    ("Deal. I accept your offer.", "accept"),
    ("I accept.", "accept"),
    ("Agreed!", "accept"),
    ("That works for me; we have a deal.", "accept"),
    ("Sounds good.", "accept"),
    ("Deal!", "accept"),
    ("No, I can't accept that offer.", "reject"),
    ("I can't accept that.", "reject"),
    ("I don't agree.", "reject"),
    ("That doesn't work for me.", "reject"),
    ("I reject your offer.", "reject"),
    ("If you can't do better, I'll walk away.", "reject"),      # a threat is not a walk-out
    ("No deal.", "walk_away"),
    ("I'm walking away.", "walk_away"),
    ("I'm out.", "walk_away"),
    ("I'd rather walk away than accept these terms. No deal.", "walk_away"),
])
def test_moves_without_terms(text: str, kind: str) -> None:
    g = game("buyer-seller")
    res = read(text, g, "buyer", standing={"price": 3000}, by="seller")
    assert isinstance(res, Parsed), res
    assert res.action.kind == kind
    assert 0 <= res.confidence <= 1


@pytest.mark.parametrize("text, kind", [
    ("I can't go higher than $2,000. I'm walking away.", "walk_away"),   # the number is the reason
    ("I'd rather walk away than accept $3,000.", "walk_away"),
    ("No deal at $3,000. I can do $2,500.", "offer"),
    ("$2,500 is my final offer, no deal below that.", "offer"),
    ("My offer: $2,500. If you don't accept, I'll walk away.", "offer"),
])
def test_terms_and_walking_away(text: str, kind: str) -> None:
    res = read(text, game("buyer-seller"), "buyer", standing={"price": 3000}, by="seller")
    assert isinstance(res, Parsed) and res.action.kind == kind, res


def test_accept_without_standing_offer_is_reported_with_lower_confidence() -> None:
    g = game("buyer-seller")
    with_offer = read("I accept.", g, "buyer", standing={"price": 3000}, by="seller")
    without = read("I accept.", g, "buyer")
    own = read("I accept.", g, "buyer", standing={"price": 3000}, by="buyer")
    assert isinstance(with_offer, Parsed) and isinstance(without, Parsed) and isinstance(own, Parsed)
    assert without.action.kind == own.action.kind == "accept"
    assert without.confidence < with_offer.confidence and own.confidence < with_offer.confidence


def test_accepting_by_restating_the_standing_terms_is_an_accept() -> None:
    g = game("buyer-seller")
    res = read("I accept your offer of $2,400.", g, "buyer", standing={"price": 2400}, by="seller")
    assert isinstance(res, Parsed) and res.action.kind == "accept"
    other = read("I accept, at $2,300.", g, "buyer", standing={"price": 2400}, by="seller")
    assert isinstance(other, Parsed) and other.action.kind == "offer"


@pytest.mark.parametrize("text, code", [("", "empty"), ("   \n\t", "empty"), ("The weather is nice.", "no_move")])
def test_nothing_to_read(text: str, code: str) -> None:
    res = read(text, game("buyer-seller"), "buyer")
    assert isinstance(res, ParseFailure) and res.code == code and res.reason


def test_clear_conversation_is_say() -> None:
    res = read("Let me think about where we stand.", game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed) and res.action.kind == "say" and res.confidence < 0.5


# ---------------------------------------------------------------------- structured blocks
def test_structured_json_block() -> None:
    text = 'Here you go.\n```json\n{"action": "offer", "bundle": {"price": 2400}}\n```'
    res = read(text, game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed) and res.method == "structured" and res.confidence == 1.0
    assert res.action.kind == "offer" and res.action.bundle == {"price": 2400}  # type: ignore[union-attr]


def test_last_block_wins() -> None:
    text = ('First thought:\n```json\n{"action": "offer", "bundle": {"price": 3000}}\n```\n'
            'On reflection, a revised offer:\n```json\n{"action": "offer", "bundle": {"price": 2500}}\n```')
    res = read(text, game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed) and res.action.bundle == {"price": 2500}  # type: ignore[union-attr]
    span = res.spans[0]
    assert text[span.start:span.end] == span.text and "2500" in span.text and span.start > text.index("revised")


def test_move_tag_and_bare_json() -> None:
    g = game("buyer-seller")
    res = read('<move>{"action": "offer", "bundle": {"price": 2100}}</move> then <move>{"action": "accept"}</move>',
               g, "buyer")
    assert isinstance(res, Parsed) and res.method == "structured" and res.action.kind == "accept"
    bare = read('My answer: {"action": "reject"}', g, "buyer")
    assert isinstance(bare, Parsed) and bare.method == "structured" and bare.action.kind == "reject"


@pytest.mark.parametrize("block, kind", [
    ('{"type": "Walk Away"}', "walk_away"),
    ('{"move": "walkaway"}', "walk_away"),
    ('{"action": "quit"}', "walk_away"),
    ('{"action": "ACCEPT"}', "accept"),
    ('{"kind": "decline"}', "reject"),
    ('{"action": "say"}', "say"),
])
def test_lenient_action_names(block: str, kind: str) -> None:
    res = read(f"```\n{block}\n```", game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed) and res.method == "structured" and res.action.kind == kind
    assert res.spans and res.spans[0].label == kind


def test_lenient_keys_and_values() -> None:
    g = game("supplier-contract")
    text = '```json\n{"type": "Offer", "terms": {"Unit Price": "$95", "lead time": "3 weeks", "Payment": "NET-30"}}\n```'
    res = read(text, g, "buyer")
    assert isinstance(res, Parsed)
    assert res.action.bundle == {"price": 95, "lead_time": 3, "payment": "net 30"}  # type: ignore[union-attr]
    labels = {s.label for s in res.spans}
    assert labels == {"price", "lead_time", "payment"}
    assert all(text[s.start:s.end] == s.text for s in res.spans)


def test_unknown_issue_kept_partial_kept_out_of_range_kept() -> None:
    g = game("supplier-contract")
    res = read('```json\n{"action": "offer", "bundle": {"price": 99999, "warranty": "2 years"}}\n```', g, "buyer")
    assert isinstance(res, Parsed)
    assert res.action.bundle == {"price": 99999, "warranty": "2 years"}  # type: ignore[union-attr]


def test_role_keyed_division_blocks() -> None:
    g = dond(3, 2, 1)
    both = '```json\n{"action": "offer", "bundle": {"alice": {"books": 2, "hats": 0, "balls": 1}, "bob": {"books": 1, "hats": 2, "balls": 0}}}\n```'
    only_bob = '```json\n{"action": "offer", "bundle": {"Bob": {"books": 1, "hats": 2, "balls": 0}}}\n```'
    me_you = '```json\n{"action": "offer", "bundle": {"me": {"books": 1, "hats": 2, "balls": 0}, "you": {"books": 2, "hats": 0, "balls": 1}}}\n```'
    for text, speaker in ((both, "alice"), (only_bob, "alice"), (me_you, "bob")):
        res = read(text, g, speaker)
        assert isinstance(res, Parsed) and res.method == "structured", text
        assert res.action.bundle == {"books": 2, "hats": 0, "balls": 1}, text  # type: ignore[union-attr]
    pie = read('```json\n{"action": "offer", "bundle": {"me": {"share": "71.43%"}}}\n```', game("split-the-pie"), "seller")
    assert isinstance(pie, Parsed) and pie.action.bundle == {"share": 0.2857}  # type: ignore[union-attr]


@pytest.mark.parametrize("text, kind, bundle", [
    ("I'd say {'action': 'offer', 'bundle': {'price': 2500}}", "offer", {"price": 2500}),     # Python-style quotes
    ('```json\n{"action": "offer", "bundle": {"price": 2500},}', "offer", {"price": 2500}),    # no closing fence
    ('<move>{"action": "offer", "bundle": {"price": 2500}}', "offer", {"price": 2500}),        # no closing tag
    ("<move>accept</move>", "accept", None),
    ("<move> walk away </move>", "walk_away", None),
    ('```\n[{"action": "reject"}]\n```', "reject", None),
])
def test_lenient_blocks(text: str, kind: str, bundle: dict[str, Any] | None) -> None:
    res = read(text, game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed) and res.method == "structured" and res.action.kind == kind, res
    if bundle is not None:
        assert res.action.bundle == bundle  # type: ignore[union-attr]


def test_lenient_structured_keys_and_values_in_words() -> None:
    g = game("supplier-contract")
    text = ('```json\n{"action": "offer", "bundle": {"price_usd": 100, "Lead time (weeks)": "3", '
            '"payment terms": "Net 30 days", "warranty": true}}\n```')
    res = read(text, g, "buyer")
    assert isinstance(res, Parsed)
    assert res.action.bundle == {"price": 100, "lead_time": 3, "payment": "net 30",  # type: ignore[union-attr]
                                 "warranty": "true"}


def test_truncated_block_falls_back_to_prose_or_fails() -> None:
    g = game("buyer-seller")
    cut = '```json\n{"action": "offer", "bundle": {"price": 24'
    res = read(cut, g, "buyer")
    assert isinstance(res, ParseFailure) and res.code == "bad_block" and res.reason
    res = read("I propose $2,400.\n" + cut, g, "buyer")
    assert isinstance(res, Parsed) and res.method == "prose"
    assert res.action.bundle == {"price": 2400}  # type: ignore[union-attr]


def test_block_arguments_map_unknown_kinds_to_other() -> None:
    text = ('```json\n{"action": "offer", "bundle": {"price": 2400}, "arguments": '
            '[{"kind": "market", "text": "Dealers pay less.", "issue": "Price"}, {"kind": "sympathy", "text": "Please."}, "plain"]}\n```')
    res = read(text, game("buyer-seller"), "buyer")
    assert isinstance(res, Parsed)
    kinds = [a.kind for a in res.action.arguments]
    assert kinds == ["market", "other", "other"]
    assert res.action.arguments[0].issue == "price"


# ---------------------------------------------------------------------- spans
def test_prose_spans_point_at_the_text() -> None:
    text = "My offer: a unit price of $95, a lead time of 3 weeks and net 30 payment terms."
    res = read(text, game("supplier-contract"), "buyer")
    assert isinstance(res, Parsed)
    spans = {s.label: s for s in res.spans}
    assert set(spans) == {"price", "lead_time", "payment"}
    for s in res.spans:
        assert text[s.start:s.end] == s.text
    assert "$95" in spans["price"].text and "3 weeks" in spans["lead_time"].text and "net 30" in spans["payment"].text


def test_division_spans_and_move_spans() -> None:
    text = "I'll take 2 books, you get the rest"
    res = read(text, dond(3, 2, 1), "alice")
    assert isinstance(res, Parsed)
    spans = {s.label: s.text for s in res.spans}
    assert spans == {"books": "2 books", "hats": "the rest", "balls": "the rest"}
    walk = read("This isn't going anywhere. I'm walking away; no deal.", game("buyer-seller"), "buyer")
    assert isinstance(walk, Parsed) and walk.action.kind == "walk_away"
    assert [s.text for s in walk.spans] == ["walking away", "no deal"] and {s.label for s in walk.spans} == {"walk_away"}
