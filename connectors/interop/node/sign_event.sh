#!/usr/bin/env bash
# Sign one hub event envelope with jq + openssl (OpenSSL 3.x), exactly as docs/envelope.md,
# "Signing": the canonical form is the envelope without `signature`, keys sorted, compact,
# UTF-8, no trailing newline; the signature is base64 of its Ed25519 signature.
#
#   ./sign_event.sh agency.pem event.json > signed.json
#
# agency.pem is the PKCS#8 PEM from `hub-connector keys init` (or
# `openssl genpkey -algorithm ed25519 -out agency.pem`). Any `signature` already in
# event.json is replaced. Prints the signed envelope as one line of JSON.
set -euo pipefail
key_file="${1:?usage: sign_event.sh KEY_FILE EVENT_JSON}"
event="${2:?usage: sign_event.sh KEY_FILE EVENT_JSON}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jq -cS 'del(.signature)' "$event" | tr -d '\n' > "$work/payload"
signature=$(openssl pkeyutl -sign -rawin -inkey "$key_file" -in "$work/payload" | base64 -w0)
jq -c --arg sig "$signature" '.signature = $sig' "$event"
