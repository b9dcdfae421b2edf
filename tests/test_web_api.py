"""The web server over HTTP (httpx against a real uvicorn on 127.0.0.1): whole sessions against a
scripted agent and a model (loopback OpenAI server), seat tokens, private preferences, input
limits, live events, resuming after a restart, and the replay viewer."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, uvicorn) is not installed")

from arena.importers.dond import import_dond  # noqa: E402
from arena.loopback import LoopbackLLM  # noqa: E402
from arena.transcript import read_transcript  # noqa: E402
from tests.browser.corpus import write_dond  # noqa: E402
from tests.browser.live import LiveServer  # noqa: E402
from tests.browser.play import Seat, private_strings  # noqa: E402


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "sessions") as srv:
        yield srv


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as c:
        yield c


def create(client: httpx.Client, **body: object) -> dict:
    r = client.post("/api/sessions", json={"game": "buyer-seller", "role": "buyer", "opponent": "conceder", **body})
    assert r.status_code == 200, r.text
    return r.json()


def block(move: dict) -> str:
    return f"Let me put it plainly.\n```json\n{json.dumps(move)}\n```"


def test_a_person_plays_a_whole_session_against_a_scripted_agent(client: httpx.Client, server: LiveServer) -> None:
    made = create(client)
    me = Seat(client, made["links"]["buyer"])
    assert me.page().status_code == 200
    s = me.wait(lambda s: s["your_turn"])
    assert s["history"][0]["who"] == "them" and s["standing"]["by"] == "them" and "offer" in s["legal"]
    p = me.post("preview", text="I can pay $2,500 for it").json()
    assert p == {"ok": True, "move": "offer: price=$2500", "method": "prose", "arguments": [], "problems": [],
                 "worth": 700.0, "below_reservation": False, "legal": True}
    s = me.say("I can pay $2,500 for it", arguments=[{"kind": "market", "text": "similar cars sell for that"}])
    mine = [m for m in s["history"] if m["who"] == "you"]
    assert mine[0]["arguments"] == [{"kind": "market", "text": "similar cars sell for that"}]
    s = me.say(move={"action": "offer", "bundle": {"price": 2700}})  # the offer builder, no words
    assert [m for m in s["history"] if m["who"] == "you"][-1]["move"] == "offer: price=$2700"
    while not s["ended"]:
        s = me.say("Deal, I accept." if s["standing"]["worth"] >= 300 else "How about $2,900?")
    assert s["outcome"] == "agreement" and s["your_utility"] >= 300
    t = read_transcript(server.data / f"{made['session_id']}.jsonl")
    assert t.end.outcome == "agreement" and t.start.agents["buyer"].name == "human"
    assert t.start.session_id == made["session_id"] and "token" not in t.to_jsonl().lower()
    leaked = [x for x in private_strings("buyer-seller", "seller") for body in me.bodies if x in body]
    assert not leaked and "The car is worth $3,200 to you" in me.bodies[1]


def test_the_offer_builder_speaks_from_the_viewers_side_in_division_games(client: httpx.Client,
                                                                          server: LiveServer) -> None:
    made = create(client, game="deal-or-no-deal", role="bob", opponent="linear", seed=1)
    me = Seat(client, made["links"]["bob"])
    me.wait(lambda s: s["your_turn"])
    mine = {"books": 2, "hats": 0, "balls": 1}  # what bob gets; the issues count alice's share
    p = me.post("preview", text="", move={"action": "offer", "bundle": mine}).json()
    assert p["move"] == "offer: books: you get 2, they get 0; hats: you get 0, they get 3; balls: you get 1, they get 0"
    assert p["worth"] == 10.0
    me.say("All the books and the ball for me, the hats for you.", move={"action": "offer", "bundle": mine})
    t = read_transcript(server.data / f"{made['session_id']}.jsonl")
    bob = [e for e in t.of_kind("parsed") if e.role == "bob"]
    assert bob[0].result.action.bundle == {"books": 0, "hats": 3, "balls": 0}
    assert not [x for x in private_strings("deal-or-no-deal", "alice", seed=1) for body in me.bodies if x in body]


def test_tokens_are_required_and_a_seat_never_acts_for_the_other(client: httpx.Client) -> None:
    made = create(client, opponent="human")
    buyer, seller = Seat(client, made["links"]["buyer"]), Seat(client, made["links"]["seller"])
    sid = buyer.session_id
    for token in (None, "", "x" * 32, buyer.token[:-1] + ("A" if buyer.token[-1] != "A" else "B")):
        headers = {} if token is None else {"X-Seat-Token": token}
        assert client.get(f"/api/s/{sid}/state", headers=headers).status_code == 403
        assert client.post(f"/api/s/{sid}/say", json={"text": "I accept"}, headers=headers).status_code == 403
        assert client.post(f"/api/s/{sid}/preview", json={"text": "hi"}, headers=headers).status_code == 403
        assert client.get(f"/play/{sid}" + (f"?t={token}" if token is not None else "")).status_code == 403
        assert client.get(f"/api/s/{sid}/events" + (f"?t={token}" if token else "")).status_code == 403
    assert client.get(f"/api/s/{'0' * 16}/state", headers={"X-Seat-Token": buyer.token}).status_code == 404
    seller.wait(lambda s: s["your_turn"])
    assert buyer.post("say", text="I offer $2,000").status_code == 409  # the seller moves first
    assert buyer.post("say", text="I offer $2,000", role="seller").status_code == 422  # no role field exists
    assert seller.say("I want $3,900 for the car.", wait=False)["your_turn"] is False
    assert seller.post("say", text="and again").status_code == 409
    b = buyer.wait(lambda s: s["your_turn"])
    assert b["history"][0]["move"] == "offer: price=$3900" and b["history"][0]["who"] == "them"
    assert buyer.say("I accept.")["outcome"] == "agreement"
    for seat, other in ((buyer, "seller"), (seller, "buyer")):
        assert not [x for x in private_strings("buyer-seller", other) for body in seat.bodies if x in body]


def test_input_is_limited_checked_and_escaped(client: httpx.Client, server: LiveServer) -> None:
    made = create(client)
    me = Seat(client, made["links"]["buyer"])
    me.wait(lambda s: s["your_turn"])
    assert me.post("say", text="x" * 2001).status_code == 422
    assert me.post("say", text="hi", arguments=[{"kind": "market", "text": "y" * 301}]).status_code == 422
    assert me.post("say", text="", move={"action": "offer", "bundle": {"colour": "red"}}).status_code == 422
    huge = client.post(f"/api/s/{me.session_id}/say", content=b"{" + b" " * 20_000 + b"}",
                       headers={"X-Seat-Token": me.token, "Content-Type": "application/json"})
    assert huge.status_code == 413
    plain = client.post(f"/api/s/{me.session_id}/say", content=b'{"text": "I accept"}',
                        headers={"X-Seat-Token": me.token, "Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding
    s = me.say("I offer $9,000")  # out of range: the referee refuses it and the buyer tries again
    assert s["your_turn"] and "between 1000 and 4000" in s["problem"]
    assert s["history"][-1] == {**s["history"][-1], "who": "you", "ok": False}
    assert "between 1000 and 4000" in s["history"][-1]["problem"]
    page = me.page()
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-frame-options"] == "DENY"
    s = me.say('<img src=x onerror="alert(1)"> I offer $2,100 </script>')
    assert s["history"][2]["text"].startswith("<img")  # JSON carries the text; the page sets it as text
    while not s["ended"]:
        s = me.say("I walk away.")
    html = client.get(f"/replay/0/{made['session_id']}.jsonl").text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html and "<img src=x" not in html


def test_live_events_announce_every_change(client: httpx.Client) -> None:
    made = create(client, opponent="human")
    seller, buyer = Seat(client, made["links"]["seller"]), Seat(client, made["links"]["buyer"])
    seller.wait(lambda s: s["your_turn"])
    with client.stream("GET", f"/api/s/{buyer.session_id}/events?t={buyer.token}") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = (line for line in stream.iter_lines() if line.startswith("data: "))
        first = int(next(lines)[6:])
        assert client.post(f"/api/s/{seller.session_id}/say", json={"text": "I want $3,000."},
                           headers={"X-Seat-Token": seller.token}).status_code == 200
        assert int(next(lines)[6:]) > first  # the buyer's page hears of the seller's move


def test_a_restarted_server_resumes_open_sessions(tmp_path: Path) -> None:
    data = tmp_path / "sessions"
    with LiveServer(data) as srv, httpx.Client(base_url=srv.url) as c:
        made = create(c, opponent="boulware")
        me = Seat(c, made["links"]["buyer"])
        me.wait(lambda s: s["your_turn"])
        me.say("I can pay $2,200.")
        before = me.say("Make it $2,400 then.")
    path = data / f"{made['session_id']}.jsonl"
    assert read_transcript(path).end is None  # stopped mid-session: nothing was ended
    with LiveServer(data) as srv, httpx.Client(base_url=srv.url) as c:
        me = Seat(c, srv.url + made["links"]["buyer"])
        after = me.wait(lambda s: s["your_turn"])
        assert after["history"] == before["history"] and after["standing"] == before["standing"]
        while not after["ended"]:
            after = me.say("Deal, I accept." if after["standing"]["worth"] >= 100 else "How about $3,000?")
    t = read_transcript(path)
    assert t.end.outcome == "agreement" and len(t.of_kind("session_start")) == 1
    assert t.start.session_id == made["session_id"] and not list(data.glob("*.bak"))
    texts = [u.text for u in t.of_kind("utterance") if u.role == "buyer"]
    assert texts[:2] == ["I can pay $2,200.", "Make it $2,400 then."]


def test_a_resume_cut_off_mid_replay_starts_again_from_its_backup(tmp_path: Path) -> None:
    data = tmp_path / "sessions"
    with LiveServer(data) as srv, httpx.Client(base_url=srv.url) as c:
        made = create(c, opponent="boulware")
        me = Seat(c, made["links"]["buyer"])
        me.wait(lambda s: s["your_turn"])
        before = me.say("I can pay $2,200.")
    path = data / f"{made['session_id']}.jsonl"
    backup = path.with_name(path.name + ".bak")
    backup.write_text(path.read_text())  # as if the server died while replaying: the copy is whole,
    path.write_text(path.read_text().splitlines(keepends=True)[0] + '{"kind": "utter')  # the file cut off
    with LiveServer(data) as srv, httpx.Client(base_url=srv.url) as c:
        me = Seat(c, srv.url + made["links"]["buyer"])
        assert me.wait(lambda s: s["your_turn"])["history"] == before["history"]
        assert not backup.exists()


def test_a_person_plays_against_a_model_behind_a_loopback_server(client: httpx.Client, server: LiveServer) -> None:
    replies = [block({"action": "offer", "bundle": {"price": 3600}}),
               block({"action": "offer", "bundle": {"price": 3000},
                      "arguments": [{"kind": "market", "text": "dealers ask $3,400"}]}),
               block({"action": "accept"})]
    with LoopbackLLM(replies) as llm:
        made = create(client, opponent="openai/loopback", api_base=llm.url)
        me = Seat(client, made["links"]["buyer"])
        s = me.wait(lambda s: s["your_turn"])
        assert s["standing"]["words"] == "price=$3600"
        s = me.say("I offer $2,600.")
        assert s["history"][-1]["arguments"] == [{"kind": "market", "text": "dealers ask $3,400"}]
        assert "```" not in s["history"][-1]["text"]  # the model's structured block is not shown
        s = me.say("Meet me at $2,800?")
        assert s["ended"] and s["outcome"] == "agreement" and s["deal"] == "price=$2800"
        assert llm.calls == 3
    t = read_transcript(server.data / f"{made['session_id']}.jsonl")
    assert t.start.agents["seller"].args["model"] == "openai/loopback"
    assert not [x for x in private_strings("buyer-seller", "seller") for body in me.bodies if x in body]


def test_bad_sessions_are_refused_with_a_message(client: httpx.Client) -> None:
    for body, message in (({"game": "no-such-game"}, "unknown game"), ({"role": "pilot"}, "unknown role"),
                          ({"opponent": "no-such-agent"}, "unknown agent"),
                          ({"game": "../../etc/passwd"}, "unknown game")):
        r = client.post("/api/sessions", json={"game": "buyer-seller", **body})
        assert r.status_code == 400 and message in r.json()["detail"]
    assert client.post("/api/sessions", json={"game": "buyer-seller", "seed": -1}).status_code == 422
    games = client.get("/api/games").json()
    assert {"name": "seller", "label": "Seller"} in next(g for g in games if g["name"] == "buyer-seller")["roles"]
    assert all(set(g) == {"name", "title", "roles"} and all(set(r) == {"name", "label"} for r in g["roles"])
               for g in games)  # names and labels only: no briefs, utilities or reservations


def test_replays_of_corpora_and_sessions(tmp_path: Path) -> None:
    corpus = tmp_path / "dond"
    import_dond(write_dond(tmp_path / "c.txt"), corpus)
    with LiveServer(tmp_path / "sessions", transcripts=[corpus]) as srv, httpx.Client(base_url=srv.url) as c:
        made = create(c)
        me = Seat(c, made["links"]["buyer"])
        me.wait(lambda s: s["your_turn"])
        sid = made["session_id"]
        assert c.get(f"/replay/0/{sid}.jsonl").status_code == 403  # still being played
        assert c.get(f"/plot/0/{sid}.jsonl").status_code == 403
        assert f"{sid}.jsonl" not in c.get("/replay").text
        me.say("I walk away.")
        index = c.get("/replay").text
        assert f"/replay/0/{sid}.jsonl" in index and "/replay/1/dond-00001.jsonl" in index
        page = c.get(f"/replay/0/{sid}.jsonl").text
        assert "walk away" in page and "Buying a used car" in page
        page = c.get("/replay/1/dond-00001.jsonl").text
        assert "you can have the book if i get the balls and hats" in page and "source dond" in page
        png = c.get("/plot/1/dond-00001.jsonl")
        assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
        for bad in ("/replay/1/..%2Fc.txt", "/replay/1/%2e%2e/%2e%2e/etc/passwd", "/replay/7/x.jsonl",
                    "/replay/0/nothing.jsonl"):
            assert c.get(bad).status_code == 404, bad


def _serve(port: int, data: Path) -> subprocess.Popen[str]:
    """`arena serve` in its own process (the inline app until arena.cli mounts the command)."""
    import arena.cli

    mounted = any(c.name == "serve" for c in arena.cli.app.registered_commands)
    inline = ("import typer; from arena.cli_web import serve_command; app = typer.Typer(); "
              "app.command('serve')(serve_command); app.command('help')(lambda: None); app()")
    cmd = [sys.executable, "-m", "arena"] if mounted else [sys.executable, "-c", inline]
    proc = subprocess.Popen([*cmd, "serve", "--port", str(port), "--data", str(data)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    while True:  # until it listens (or dies)
        assert proc.poll() is None, proc.communicate()[0]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)


def test_the_serve_command_resumes_after_ctrl_c(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url, data = f"http://127.0.0.1:{port}", tmp_path / "sessions"
    proc = _serve(port, data)
    with httpx.Client(base_url=url) as c:
        made = create(c, opponent="boulware")
        me = Seat(c, url + made["links"]["buyer"])
        me.wait(lambda s: s["your_turn"])
        before = me.say("I can pay $2,200.")
        with c.stream("GET", f"/api/s/{me.session_id}/events?t={me.token}") as stream:  # an open stream
            next(stream.iter_lines())
            proc.send_signal(signal.SIGINT)
            assert proc.wait() == 0, proc.communicate()[0]  # Ctrl-C ends it, streams and all
    proc = _serve(port, data)
    try:
        with httpx.Client(base_url=url) as c:
            me.client = c
            assert me.wait(lambda s: s["your_turn"])["history"] == before["history"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait() == 0
