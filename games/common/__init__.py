"""What every engine family shares, so table and instant engines follow one set of rules: money (stakes, exact
wins rounded down, two-decimal strings), bet parameter checks, exact math profiles from a distribution, and the
guards on a multi-step round's actions."""
