"""The operator-facing API (/v1): studios, games, session launch, rounds, transactions and fairness checks."""
