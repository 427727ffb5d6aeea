"""Signals other apps may listen to (visits imports none of them).

`visit_saved(sender=Visit, visit_id, person_ids, household_ids)` is sent after the transaction
that created or changed a visit commits — e.g. assistance closes a "four musts" clock when the
paired cadre visits the household. Visits recorded in bulk (a ledger import) send it once per
batch with `visit_id=None` and `visit_ids` the new visits."""

from __future__ import annotations

from django.dispatch import Signal

visit_saved = Signal()
