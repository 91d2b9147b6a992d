"""Signed verdicts: compliance signs each steered suggestion it publishes; the console shows only those
whose signature verifies, so a PASS published on the suggestions topic by anything but compliance is never
shown (it is counted, and the count raises an alert).

The signature is HMAC-SHA256 over the tenant, call id, seq, shown text, verdict, rule ids and deadline —
what an operator acts on — and, for a draft sent sentence by sentence, which part it is (so a part cannot pass
for the whole). Keys come from `VERDICT_KEYS` ("key-id:secret,key-id:secret", a Secret in Helm):
the first signs, every one verifies, so a key is rotated by adding the new one second, then first, then
removing the old. On the in-process transport (the embedded demo: one process) a random key is made when
none is set; on a broker, compliance and the console refuse to start without one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets

from seatcopilot.config import ConfigError
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.transport import InProcessTransport, Transport

KEYS_ENV = "VERDICT_KEYS"
# The verdicts whose text an operator is shown (a blocked suggestion is shown as blocked, with no text).
SHOWN_VERDICTS = (cp.VERDICT_PASS, cp.VERDICT_REWRITTEN)
_PROCESS_KEYS = {"process": secrets.token_bytes(32)}  # the embedded demo's: shared by its stages in one process


def parse_keys(value: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key_id, _, secret = item.partition(":")
        if not key_id or len(secret) < 16:
            raise ConfigError(f"{KEYS_ENV}: each entry is key-id:secret with a secret of 16 characters or more")
        keys[key_id] = secret.encode()
    return keys


def keys_for(transport: Transport, environ: dict[str, str] | None = None) -> dict[str, bytes]:
    keys = parse_keys((os.environ if environ is None else environ).get(KEYS_ENV, ""))
    if keys:
        return keys
    if isinstance(transport, InProcessTransport):
        return dict(_PROCESS_KEYS)
    raise ConfigError(f"{KEYS_ENV} is required on a broker: compliance signs verdicts with it, the console "
                      "verifies them")


def _signed_bytes(steered: cp.SteeredSuggestion) -> bytes:
    call, draft = steered.call, steered.draft
    fields = [call.tenant, call.call_id, call.seq, steered.text, steered.compliance.verdict,
              list(steered.compliance.rule_ids), draft.deadline.seconds, draft.deadline.nanos]
    if draft.partial or draft.part > 1:  # a part's place is signed too; a whole draft's bytes are as before
        fields += [draft.partial, draft.part]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


class VerdictSigner:
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ConfigError(f"{KEYS_ENV}: no key to sign with")
        self.key_id, self.key = next(iter(keys.items()))

    def sign(self, steered: cp.SteeredSuggestion) -> cp.SteeredSuggestion:
        steered.key_id = self.key_id
        steered.signature = hmac.new(self.key, _signed_bytes(steered), hashlib.sha256).hexdigest()
        return steered


class VerdictVerifier:
    def __init__(self, keys: dict[str, bytes]) -> None:
        self.keys = dict(keys)

    def verifies(self, steered: cp.SteeredSuggestion) -> bool:
        key = self.keys.get(steered.key_id)
        if key is None or not steered.signature:
            return False
        expected = hmac.new(key, _signed_bytes(steered), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), steered.signature.encode())
