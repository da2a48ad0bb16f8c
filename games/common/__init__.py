"""What every engine family shares, so table and instant engines follow one set of rules: money (stakes, exact
wins settled by unbiased rounding, two-decimal strings), bet parameter checks, exact math profiles from a
distribution, and the guards on a multi-step round's actions."""
