"""``casino-sim reconcile`` against a live simulator, its database, a reference wallet and ledger files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from simulator.commands import reconcile
from tests.fakes.processes import run_cli
from tests.simulator.settlement.conftest import World


async def ledger_csv(world: World) -> list[dict[str, str]]:
    async with world.sim.http.get(f"{world.wallet.url}/ledger?format=csv&limit=10000") as response:
        return list(csv.DictReader(io.StringIO(await response.text())))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def played(world: World, rounds: int = 4) -> None:
    player = await world.player(10_000)
    token = await world.session(player)
    world.plan.on("bet", "fail_after")  # one rolled-back round among them
    for _ in range(rounds):
        await world.sim.play(token, 100)
    await world.settle()


async def test_a_live_simulator_and_its_wallet_agree(world: World, tmp_path: Path) -> None:
    await played(world)
    code, out, err = await run_cli("reconcile", "--simulator-url", world.sim.url, "--wallet-url", world.wallet.url)
    assert code == 0, out + err
    assert out.strip().endswith("no differences")
    database = f"sqlite:///{world.sim.settings.data_dir / 'simulator.sqlite3'}"
    code, out, err = await run_cli("reconcile", "--database-url", database, "--wallet-url", world.wallet.url, "--json")
    assert code == 0, out + err
    assert json.loads(out)["matched"] == 7  # 3 bets, 3 wins, 1 rollback; the failed bet has no verdict


async def test_an_operator_file_with_differences_exits_1(world: World, tmp_path: Path) -> None:
    await played(world)
    rows = await ledger_csv(world)
    # a zero win missing from a ledger moves no money, so the differences below are made on paying wins
    for _ in range(60):
        if len([r for r in rows if r["kind"] == "win" and int(r["amount"]) > 0]) >= 2:
            break
        await played(world, rounds=2)
        rows = await ledger_csv(world)
    assert code_ok(await run_cli("reconcile", "--simulator-url", world.sim.url, "--ledger",
                                 str(write_csv(tmp_path / "ok.csv", rows))))  # fmt: skip
    wins = [r for r in rows if r["kind"] == "win" and int(r["amount"]) > 0]
    rows.remove(wins[0])
    wins[1]["amount"] = str(int(wins[1]["amount"]) + 1)
    rows.append(rows[-1] | {"transaction_id": "operator-only", "kind": "bet"})
    path = write_csv(tmp_path / "operator.csv", rows)
    code, out, err = await run_cli("reconcile", "--simulator-url", world.sim.url, "--ledger", str(path), "--json")
    assert code == 1, out + err
    report = json.loads(out)
    assert [d["transaction_id"] for d in report["missing"]] == [wins[0]["transaction_id"]]
    assert [d["transaction_id"] for d in report["mismatched"]] == [wins[1]["transaction_id"]]
    assert [d["transaction_id"] for d in report["extra"]] == ["operator-only"]
    json_path = tmp_path / "ledger.json"
    async with world.sim.http.get(f"{world.wallet.url}/ledger") as response:
        json_path.write_bytes(await response.read())
    assert code_ok(await run_cli("reconcile", "--simulator-url", world.sim.url, "--ledger", str(json_path)))


async def test_open_rounds_fail_only_when_asked(world: World) -> None:
    player = await world.player(10_000)
    token = await world.session(player)
    world.plan.on("win", "fail_before")
    await world.sim.play(token, 100)  # its win is owed and pending
    source = ("reconcile", "--simulator-url", world.sim.url, "--wallet-url", world.wallet.url)
    code, out, _ = await run_cli(*source)
    assert code == 0 and "open rounds 1" in out and "(not in wallet)" in out
    code, out, _ = await run_cli(*source, "--fail-on-open")
    assert code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--database-url", "sqlite:///{tmp}/absent.sqlite3", "--ledger", "{tmp}/x.csv"],
            "no database file",
            id="no-database",
        ),
        pytest.param(
            ["--simulator-url", "http://127.0.0.1:9", "--ledger", "{tmp}/ok.csv"],
            "cannot read",
            id="unreachable",
        ),
        pytest.param(
            ["--simulator-url", "http://127.0.0.1:9", "--ledger", "{tmp}/bad.csv"],
            "line 2: amount",
            id="bad-file",
        ),
        pytest.param(
            ["--simulator-url", "http://127.0.0.1:9", "--ledger", "{tmp}/missing.csv"],
            "cannot read",
            id="no-file",
        ),
    ],
)
async def test_unreadable_sources_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    header = "transaction_id,kind,player_id,round_id,amount,currency\n"
    (tmp_path / "ok.csv").write_text(header)
    (tmp_path / "bad.csv").write_text(header + "t,bet,p,r,1.5,USD\n")
    code, _, err = await run_cli("reconcile", *(a.format(tmp=tmp_path) for a in args), limit=30)
    assert code == 2 and message in err and "Traceback" not in err, err


def code_ok(result: tuple[int, str, str]) -> bool:
    code, out, err = result
    assert code == 0, out + err
    return True


def test_reconcile_is_a_casino_sim_command() -> None:
    try:
        from simulator import cli
    except ImportError as exc:  # the CLI imports subcommands that other branches add
        pytest.skip(f"simulator.cli does not import on this branch yet: {exc}")
    assert "reconcile" in cli.COMMANDS
    args = cli.parser().parse_args(["reconcile", "--simulator-url", "u", "--wallet-url", "w"])
    assert cli.runner(args) is reconcile.run
