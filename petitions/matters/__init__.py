"""The petition ledger (信访事项): petitions, petitioners, routing, steps and their clocks."""
