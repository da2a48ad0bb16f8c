"""Players at a live table, for Locust: each joins the table over the WebSocket its launch names, bets in every
betting window and checks its settlement. All of a run's players sit at one table, so the ``table`` shape fills it
with thousands of players and every result settles them all at once.

    locust -f loadtests/live_locustfile.py --config loadtests/locust.conf --host http://127.0.0.1:8080 \\
        --shape table --users 2000
    LOCUST_MAX_TASKS=3 python loadtests/live_locustfile.py --host http://127.0.0.1:8080   # one player, three rounds

Options are those of ``locustfile.py`` (credentials, wallet, stake, SLO gates) plus ``--live-table`` (a live game id;
default: the first live game of the catalogue). Socket messages are reported to Locust as ``WS`` requests:
``place_bet`` (from the bet to its answer) and ``settlement`` (from the result to the player's settlement). Needs
``websocket-client`` (the ``load`` extra).
"""

from __future__ import annotations

import json
import os
import random
import time

import websocket
from locust import run_single_user, task
from locust.exception import StopUser
from locustfile import JSONObject, PeakTrafficShape, PlayerBase, money_problems

__all__ = ["LivePlayer", "PeakTrafficShape"]


class LivePlayer(PlayerBase):
    """A player at a live table: bets in every betting window and checks that the bet is settled once, with integer
    money, after the result."""

    weight = 1
    window_wait = 120.0  # seconds a round may take to open, or a settlement to come

    def wait_time(self) -> float:
        return 0.0  # the table's clock paces a live player

    def pick_game(self, *, multi_step: bool | None = None) -> JSONObject | None:
        games = self.catalogue(self.catalogue_host)
        if games is None:
            return None
        live = sorted((g for g in games if g["category"] == "live"), key=lambda g: g["game_id"])
        wanted = self.options.live_table
        chosen = [g for g in live if g["game_id"] == wanted] if wanted else live[:1]
        if not chosen:
            raise StopUser  # no live table this player may join
        return chosen[0]

    def on_stop(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            socket.close()

    def report(self, name: str, started: float, problem: str | None = None) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if problem is None else AssertionError(problem),
            context={},
        )

    def receive(self, *kinds: str) -> JSONObject:
        """The next message of one of ``kinds`` (others are read past); each checked for integer money."""
        deadline = time.monotonic() + self.window_wait
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if problems := money_problems(message):
                raise AssertionError("; ".join(problems))
            if message["type"] in kinds:
                return dict(message)
        raise TimeoutError(f"no {' or '.join(kinds)} within {self.window_wait:g}s")

    def connect(self) -> None:
        if getattr(self, "socket", None) is None or not self.socket.connected:
            self.socket = websocket.create_connection(self.launched["websocket_url"], timeout=self.window_wait)
            self.receive("table_state")

    @task
    def bet_each_window(self) -> None:
        self.count_task()
        if not self.ready():
            return
        try:
            self.connect()
            self.receive("round_opened")
            amount = self.stake()
            started = time.perf_counter()
            self.socket.send(json.dumps({"type": "place_bet", "bets": [{"type": self.live_spot(), "amount": amount}]}))
            answer = self.receive("bet_accepted", "bet_refused")
            if answer["type"] == "bet_refused":
                if answer["code"] == "INSUFFICIENT_FUNDS":
                    self.player, self.play_base, self.socket = {}, "", None
                self.report("place_bet", started, None if answer["code"] == "BETS_CLOSED" else answer["code"])
                return
            self.report("place_bet", started)
            bet_id = answer["bet"]["bet_id"]
            self.receive("result")
            started = time.perf_counter()
            while (settled := self.receive("settlement"))["bet_id"] != bet_id:
                pass
            wrong = settled["stake"] != amount or settled["win"] < 0 or settled["status"] not in ("closed", "settling")
            self.report("settlement", started, f"settled wrongly: {settled}" if wrong else None)
        except (OSError, TimeoutError, AssertionError, ValueError) as exc:
            self.report("live table", time.perf_counter(), f"{type(exc).__name__}: {exc}")
            self.socket = None

    def live_spot(self) -> str:
        return "banker" if "baccarat" in self.game["engine_id"] else random.choice(("red", "black", "odd", "even"))


if __name__ == "__main__":
    os.environ.setdefault("LOCUST_MAX_TASKS", "3")
    run_single_user(LivePlayer)
