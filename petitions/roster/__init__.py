"""The reception roster (领导接访): receptions, slots, appointments and their matters, the
office's records. Built on the petition ledger (it imports petitions.matters, never the reverse)."""
