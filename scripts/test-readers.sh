#!/usr/bin/env bash
# The origin readers (issue #16): one generated vector file through the Rust, Node, Python and Go
# readers, pytest (with Hypothesis), go test with a 10 s fuzz, and the Worker in workerd in front
# of a real Python (wsgiref) and Go (net/http) origin. Works on a fresh machine: installs Go from
# Debian when missing and the Python package into readers/python/.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if ! command -v go >/dev/null; then
  echo "test-readers: installing Go (Debian golang-go)"
  apt-get update -qq && apt-get install -y -qq golang-go >/dev/null
fi
VENV=readers/python/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -e 'readers/python[test]'

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 readers/vectors/make_input.py "$out/input.json"
python3 readers/vectors/make_input.py "$out/input-random.json" --random
cargo build --quiet --release --bin reader-vectors
for v in "" -random; do
  target/release/reader-vectors generate "$out/input$v.json" > "$out/vectors$v.json"
  echo "== vectors$v.json"
  echo -n "rust:   "; target/release/reader-vectors run "$out/vectors$v.json"
  echo -n "node:   "; node readers/node/run-vectors.mjs "$out/vectors$v.json"
  echo -n "python: "; "$VENV/bin/python" -m clerk_edge_reader.vectors "$out/vectors$v.json"
  echo -n "go:     "; (cd readers/go && go run ./cmd/clerk-edge-vectors "$out/vectors$v.json")
done

echo "== pytest"
CLERK_EDGE_READER_VECTORS="$out/vectors.json" "$VENV/bin/python" -m pytest -q readers/python/tests
echo "== go test"
(cd readers/go && go vet ./... && CLERK_EDGE_READER_VECTORS="$out/vectors.json" go test ./... \
  && go test -run '^$' -fuzz=FuzzReadHeaders -fuzztime=10s .)

echo "== end to end (Worker in workerd → Python and Go origins)"
[ -f build/index.js ] || bash scripts/build-worker.sh
READERS_PYTHON="$VENV/bin/python" node --test tests/worker/readers.test.mjs
