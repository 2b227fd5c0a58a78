#!/usr/bin/env bash
# Where the wasm bytes are (issue #15): for each build, twiggy `top`, `dominators` and a roll-up per
# crate and per module of ours, on a copy optimised like the shipped one but keeping function names.
# Usage: scripts/size-report.sh [worker|js ...]   (default: both; output also in target/size-report/)
# Needs twiggy (`cargo install twiggy --locked`). Builds with cargo; run no other cargo build meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v twiggy >/dev/null || { echo "size-report: twiggy missing (cargo install twiggy --locked)" >&2; exit 1; }
: "${WASM_BINDGEN_BIN:?wasm-bindgen is not on PATH}"
rows="${ROWS:-30}"
out=target/size-report
mkdir -p "$out"

report() {
  local name="$1" feature="$2" dir="$out/$1"
  cargo build --quiet --release --target wasm32-unknown-unknown --no-default-features --features "$feature" --lib
  rm -rf "$dir" && mkdir -p "$dir"
  # wasm-bindgen keeps the name section by default; wasm-opt -g keeps it through -Oz.
  "$WASM_BINDGEN_BIN" --target web --out-dir "$dir" --out-name m target/wasm32-unknown-unknown/release/clerk_edge.wasm
  "$WASM_OPT_BIN" -Oz --low-memory-unused -g --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
    "$dir/m_bg.wasm" -o "$dir/named.wasm"
  local named="$dir/named.wasm"
  {
    echo "=== $name: $(wc -c < "$named") bytes with names (the shipped build has none)"
    echo "--- top $rows (shallow)"
    twiggy top -n "$rows" "$named"
    echo "--- dominators (retained, depth 3)"
    twiggy dominators -d 3 -r "$rows" "$named"
    echo "--- roll-up: crate (clerk_edge by module), shallow bytes"
    twiggy top -f csv "$named" | python3 -c '
import csv, re, sys
sums = {}
for row in csv.DictReader(sys.stdin):
    item, size = row["Name"], int(row["ShallowSize"])
    if item.startswith("data segment") or item.startswith("\"data") or "data[" in item:
        key = "(data)"
    elif "subsection" in item or item.startswith("custom section"):
        key = "(names/custom)"
    else:
        # The first path in the item: "<f64 as core[..]::fmt::Display>::fmt" -> core,
        # "clerk_edge::token::jwt::x" -> clerk_edge::token::jwt.
        # "<f64 as core[..]::fmt::Display>::fmt": a primitive or generic self type counts for the trait.
        head = re.match(r"<&?(?:mut )?([A-Za-z0-9_]+) as (.*)", item)
        if head and "::" not in head.group(1) and head.group(1)[0] not in "abcdefghijklmnopqrstuvwxyz_" or \
                head and head.group(1) in ("f64", "f32", "u8", "u16", "u32", "u64", "u128", "usize", "i32",
                                           "i64", "isize", "str", "char", "bool"):
            item = head.group(2)
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?((?:::[a-z_][a-z0-9_]*)*)", item)
        if not m:
            key = "(other: " + item.split(" ")[0][:30] + ")"
        elif m.group(1) == "clerk_edge":
            key = "clerk_edge" + "".join("::" + p for p in m.group(2).split("::")[1:3])
        else:
            key = m.group(1)
    sums[key] = sums.get(key, 0) + size
total = sum(sums.values())
for k, v in sorted(sums.items(), key=lambda kv: -kv[1])[:40]:
    print(f"{v:>9}  {100 * v / total:5.1f}%  {k}")
print(f"{total:>9}  total")
'
  } | tee "$out/$name.txt"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(worker js)
for t in "${targets[@]}"; do
  case "$t" in
    worker) report worker worker ;;
    js) report js js ;;
    *) echo "size-report: unknown build $t (worker|js)" >&2; exit 1 ;;
  esac
done
