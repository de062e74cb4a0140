"""Reply drafting: Claude (or any chat model) and the deterministic grounded drafter."""
