"""Consent held by the hub: recorded where it is given (agency events, hub/recorders/consents.py,
or the API, ``changes``), found for every decision (``records``, used by hub/sharing.py), and
exported as Kantara consent receipts (``receipts``). docs/consent.md describes the whole."""
