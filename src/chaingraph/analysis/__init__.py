"""Analysis of chains: coverage, gaps, targets, leaders, impact and inferred supply."""
