"""The provider's tables and indexes, applied in order by ``Database.migrate`` (idempotent DDL)."""

UNFINISHED = "status IN ('open', 'acting')"  # written alike in the index and its queries, so SQLite matches them

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        token TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        operator_token TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0,
        country TEXT,
        language TEXT,
        created_at {real} NOT NULL,
        expires_at {real} NOT NULL,
        server_seed TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS revealed_seeds (
        server_seed_hash TEXT PRIMARY KEY,
        server_seed TEXT NOT NULL,
        revealed_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rounds (
        round_id TEXT PRIMARY KEY,
        session_token TEXT NOT NULL,
        player_id TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        engine_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        stake BIGINT NOT NULL,
        win BIGINT NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        outcome TEXT NOT NULL,
        server_seed_hash TEXT NOT NULL,
        client_seed TEXT NOT NULL,
        nonce BIGINT NOT NULL,
        version INTEGER NOT NULL,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    # partial indexes hold only the rows still in play, so they stay a few pages that every commit shares
    "DROP INDEX IF EXISTS rounds_session",
    f"CREATE INDEX IF NOT EXISTS rounds_unfinished ON rounds (session_token, created_at) WHERE {UNFINISHED}",
    "CREATE INDEX IF NOT EXISTS rounds_status ON rounds (status, created_at)",
    """CREATE TABLE IF NOT EXISTS transactions (
        seq {serial},
        transaction_id TEXT NOT NULL UNIQUE,
        round_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        player_id TEXT NOT NULL,
        session_token TEXT NOT NULL,
        wallet_session TEXT NOT NULL,
        game_id TEXT NOT NULL,
        studio_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        amount BIGINT NOT NULL,
        round_closed INTEGER NOT NULL,
        reference_transaction_id TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at {real} NOT NULL,
        last_error TEXT,
        balance_after BIGINT,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    "DROP INDEX IF EXISTS transactions_due",
    "CREATE INDEX IF NOT EXISTS transactions_pending ON transactions (next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS transactions_round ON transactions (round_id)",
)

# Migration 2: free-round campaigns. A transaction may carry its bonus context (JSON: a free round's campaign, a
# campaign's total, a promotional payout), which its wallet call sends in the dialect's own fields. A campaign's
# assignment counts the rounds a player has left and those in flight (claimed with a round, not yet acknowledged by
# the wallet); each free round is tied to its campaign until its bet is settled.
BONUS = (
    "ALTER TABLE transactions ADD COLUMN bonus TEXT",
    """CREATE TABLE IF NOT EXISTS campaigns (
        campaign_id TEXT PRIMARY KEY,
        rounds INTEGER NOT NULL,
        payout TEXT NOT NULL,
        games TEXT NOT NULL,
        bet_values TEXT NOT NULL,
        starts_at {real} NOT NULL,
        expires_at {real} NOT NULL,
        status TEXT NOT NULL,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS campaign_players (
        campaign_id TEXT NOT NULL,
        player_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        rounds_left INTEGER NOT NULL,
        in_flight INTEGER NOT NULL DEFAULT 0,
        rounds_played INTEGER NOT NULL DEFAULT 0,
        total_win BIGINT NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        payout_transaction_id TEXT,
        last_session TEXT,
        last_wallet_session TEXT,
        last_game_id TEXT,
        last_studio_id TEXT,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL,
        PRIMARY KEY (campaign_id, player_id))""",
    "CREATE INDEX IF NOT EXISTS campaign_players_player ON campaign_players (player_id)",
    "CREATE INDEX IF NOT EXISTS campaign_players_open ON campaign_players (status) WHERE status = 'active'",
    """CREATE TABLE IF NOT EXISTS campaign_rounds (
        round_id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        player_id TEXT NOT NULL,
        win BIGINT NOT NULL,
        status TEXT NOT NULL)""",
)

# The provider's migrations (``simulator.store.migrations``), in order: the first is the schema of the releases that
# recorded no version, kept as it was; a change to the tables is a new entry at the end.
LOBBY = (
    "ALTER TABLE sessions ADD COLUMN lobby_url TEXT",
    "ALTER TABLE sessions ADD COLUMN cashier_url TEXT",
    "ALTER TABLE sessions ADD COLUMN platform TEXT",
)
"""Migration 3: the lobby links and platform a launch names, for the game client's exit and deposit buttons."""

CLOSING = (
    "ALTER TABLE sessions ADD COLUMN closed_at {real}",
    "ALTER TABLE sessions ADD COLUMN closed_reason TEXT",
    "CREATE INDEX IF NOT EXISTS sessions_open_expiry ON sessions (expires_at) WHERE closed_at IS NULL",
)
"""Migration 4: when and why a session closed (a regulated limit, a reality-check quit, or its expiry found by the
settlement worker), set once by a conditional update; the index holds only the sessions still open."""

MIGRATIONS = (SCHEMA, BONUS, LOBBY, CLOSING)
