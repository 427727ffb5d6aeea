"""Kind evaluators registered with the compliance registry."""
