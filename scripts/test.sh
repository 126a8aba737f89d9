#!/usr/bin/env bash
# The whole test suite on a fresh machine: Debian packages the tests use, a virtualenv with
# the project and its test extras, then pytest. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# kcat and jq: the non-Python publishers in tests/connectors (any Kafka client can publish);
# chromium and its driver: the browser tests of the panel pages.
need=()
for tool in kcat jq chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
need=("${need[@]/chromedriver/chromium-driver}")
if ((${#need[@]})); then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
# OPA's own Go evaluator, for the policy conformance tests: the wheel's metadata asks for Python
# 3.14, but it is a ctypes bridge to a Go shared library that runs on 3.11.
.venv/bin/pip install -q --ignore-requires-python 'opa-golib-python-bindings==0.4.4'
.venv/bin/python -c 'from hub.policy.opa_inprocess import opa_version; print("OPA evaluator v" + opa_version())'
.venv/bin/python -m policies check
.venv/bin/ruff check .
exec .venv/bin/pytest "$@"
