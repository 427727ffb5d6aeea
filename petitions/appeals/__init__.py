"""Online appeals (网民诉求) and the hotline's daily bulletin. Built on the petition ledger (it imports
petitions.matters, never the reverse)."""
