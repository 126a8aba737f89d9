#!/usr/bin/env bash
# Publish one signed incident.reported event to the hub with no Python at all: jq builds the
# envelope and its canonical form, openssl makes the match keys (HMAC-SHA256) and the Ed25519
# signature, kcat publishes. See docs/envelope.md. Debian packages: jq, openssl, kcat.
#
#   BOOTSTRAP=broker:9092 AGENCY=met-police KEY_FILE=met-police.pem \
#   PARTNERSHIP_KEY_HEX=$(cat partnership.key) REF=KCAT-1 ./publish_with_kcat.sh
#
# KEY_FILE is the PKCS#8 PEM that `hub-connector keys init` writes (or
# `openssl genpkey -algorithm ed25519 -out agency.pem`). Prints the event id it published.
# With OUT=file set it writes the signed message to file (and the Kafka key to file.key)
# instead of publishing, for any other Kafka client to send.
set -euo pipefail
: "${BOOTSTRAP:=}" "${AGENCY:?}" "${KEY_FILE:?}" "${PARTNERSHIP_KEY_HEX:?}"
REF="${REF:-KCAT-1}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Match key: "mk1:" + hex HMAC-SHA256(partnership key, "<kind>:<normalised value>").
# Names are normalised to lower-case ASCII letters and single spaces, postcodes to upper case
# without spaces (docs/envelope.md, "Match keys").
match_key() {
  printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$PARTNERSHIP_KEY_HEX" -r \
    | cut -d' ' -f1 | sed 's/^/mk1:/'
}
person=$(match_key 'person:alex sample|1990-04-12')
place=$(match_key 'address:12 quillon street|W21ZZ')
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
id="$AGENCY:incident.reported:$REF:v1"

jq -n --arg id "$id" --arg agency "$AGENCY" --arg ref "$REF" --arg now "$now" \
      --arg person "$person" --arg place "$place" '{
  specversion: "1.0", id: $id, source: ("urn:csp-hub:agency:" + $agency + ":kcat"),
  type: "incident.reported", time: $now, subject: $person, agency: $agency,
  schemaversion: "1", datacontenttype: "application/json",
  dataschema: "urn:csp-hub:schema:incident.reported:1",
  data: {record: {ref: $ref, version: 1}, occurred_at: $now, reported_at: $now,
         category: "noise", channel: "phone",
         summary: "Loud music after midnight — “half the block” awake",
         parties: [{role: "complainant", match_key: $person, name: "Alex Sample",
                    date_of_birth: "1990-04-12"}],
         location: {match_key: $place, address: "12 Quillon Street", postcode: "W2 1ZZ"},
         flags: {domestic_abuse: false}, confidentiality: "standard"}}' > "$work/event.json"

# Canonical form: everything but the signature, keys sorted, compact, UTF-8, no newline.
jq -cS 'del(.signature)' "$work/event.json" | tr -d '\n' > "$work/payload"
signature=$(openssl pkeyutl -sign -rawin -inkey "$KEY_FILE" -in "$work/payload" | base64 -w0)

jq -c --arg sig "$signature" '.signature = $sig' "$work/event.json" > "$work/signed.json"
if [ -n "${OUT:-}" ]; then  # write the signed message (and its key) instead of publishing
  cp "$work/signed.json" "$OUT"
  printf '%s' "$person" > "$OUT.key"
else
  kcat -P -b "$BOOTSTRAP" -t "hub.agency.$AGENCY" -k "$person" \
    -H "content-type=application/cloudevents+json; charset=UTF-8" ${KCAT_OPTIONS:-} \
    < "$work/signed.json"
fi
echo "$id"
