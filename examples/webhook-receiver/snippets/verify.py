"""Verify a Viva webhook (Standard Webhooks) with the Python standard library only."""

import base64
import hashlib
import hmac
import time


class InvalidWebhook(Exception):
    pass


def verify_webhook(secret: str, headers: dict, raw_body: bytes, tolerance_seconds: int = 300) -> None:
    """Raises InvalidWebhook unless the delivery is signed with `secret` ("whsec_...") and recent.

    `headers` must have lower-case names; `raw_body` is the request body exactly as received.
    """
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise InvalidWebhook("missing webhook headers")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidWebhook("bad webhook-timestamp")
    if abs(time.time() - sent_at) > tolerance_seconds:
        raise InvalidWebhook("timestamp outside the tolerance (a replay?)")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        # As bytes: compare_digest raises TypeError on a str with non-ASCII characters, which anyone
        # could send.
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return
    raise InvalidWebhook("no matching signature")


if __name__ == "__main__":
    # Reads a delivery as JSON {"secret", "headers", "body"} on stdin; exits 0 if it verifies, 1 if not.
    import json
    import sys

    delivery = json.load(sys.stdin)
    try:
        verify_webhook(delivery["secret"], delivery["headers"], delivery["body"].encode())
    except InvalidWebhook as error:
        print(error)
        sys.exit(1)
    print("verified")
