#!/usr/bin/env node
// Publish signed hub event envelopes to Kafka from Node.js, with kafkajs (pure JavaScript).
//
//   npm ci --no-audit --no-fund
//   node publish.mjs --bootstrap broker:9092 signed.json [more-signed.json ...]
//
// Each file holds one signed envelope (docs/envelope.md; sign_event.sh beside this file makes
// one with jq + openssl). It is sent byte for byte (a trailing newline dropped) to topic
// hub.agency.<agency>, keyed by its `subject`, with acks=all and the idempotent producer.
// Prints one JSON line per message: {"id", "topic", "partition", "offset"}.
// BOOTSTRAP may be given in the environment instead of --bootstrap.
//
// --no-idempotence: plain acks=all producer, for brokers that refuse kafkajs's InitProducerId
// v0/v1 request (the embedded Tansu broker of `hub demo` and the tests does). Safe for the hub:
// a retried send may write a message twice, and the hub stores each envelope id once.
import { readFile } from "node:fs/promises";
import { Kafka, logLevel, Partitioners } from "kafkajs";

function usage(message) {
  if (message) console.error(`publish.mjs: ${message}`);
  console.error("usage: node publish.mjs [--bootstrap host:port[,host:port]] [--no-idempotence]"
                + " signed.json ...");
  process.exit(2);
}

const args = process.argv.slice(2);
let bootstrap = process.env.BOOTSTRAP || "";
let idempotent = true;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--bootstrap") bootstrap = args[++i] ?? "";
  else if (args[i].startsWith("--bootstrap=")) bootstrap = args[i].slice("--bootstrap=".length);
  else if (args[i] === "--no-idempotence") idempotent = false;
  else if (args[i] === "-h" || args[i] === "--help") usage();
  else if (args[i].startsWith("--")) usage(`unknown option ${args[i]}`);
  else files.push(args[i]);
}
if (!bootstrap) usage("no broker: pass --bootstrap or set BOOTSTRAP");
if (files.length === 0) usage("no envelope file given");

// CloudEvents Kafka binding, structured content mode: the value is the whole JSON event.
const STRUCTURED = { "content-type": "application/cloudevents+json; charset=UTF-8" };
const messages = [];
for (const file of files) {
  let text = await readFile(file, "utf8");
  text = text.replace(/\r?\n$/, "");
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch (error) {
    usage(`${file}: not JSON (${error.message})`);
  }
  for (const attribute of ["id", "agency", "subject", "signature"]) {
    if (typeof envelope[attribute] !== "string" || envelope[attribute] === "") {
      usage(`${file}: the envelope has no "${attribute}" (sign it first: sign_event.sh)`);
    }
  }
  messages.push({ id: envelope.id, topic: `hub.agency.${envelope.agency}`,
                  key: envelope.subject, value: Buffer.from(text, "utf8") });
}

const kafka = new Kafka({
  clientId: "csp-hub-node-publisher",
  brokers: bootstrap.split(",").map((b) => b.trim()).filter(Boolean),
  logLevel: logLevel.ERROR,
  retry: { retries: 5 },
});
const producer = kafka.producer({
  idempotent,                    // a retried send is not a second message (see --no-idempotence)
  maxInFlightRequests: 1,        // keep each subject's events in order, even across retries
  allowAutoTopicCreation: false, // the hub creates hub.agency.<agency> when it registers you
  createPartitioner: Partitioners.DefaultPartitioner, // murmur2 on the key, as the Java client
});

let failed = false;
try {
  await producer.connect();
  for (const { id, topic, key, value } of messages) {
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers: STRUCTURED }] });
    console.log(JSON.stringify({ id, topic: sent.topicName, partition: sent.partition,
                                 offset: sent.baseOffset }));
  }
} catch (error) {
  console.error(`publish.mjs: ${error.name}: ${error.message}`);
  if (idempotent && /InitProducerId|unexpected error/i.test(`${error.stack}`)) {
    console.error("publish.mjs: the broker refused an idempotent producer id; "
                  + "try --no-idempotence");
  }
  failed = true;
} finally {
  await producer.disconnect();
}
process.exit(failed ? 1 : 0);
