#!/usr/bin/env bash
# Prints a build's raw and gzip -9 size and fails when it exceeds its budget in size-budgets.txt.
# Usage: scripts/size-check.sh NAME FILE
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1" file="$2"
raw=$(wc -c < "$file")
gz=$(gzip -9 -c "$file" | wc -c)
read -r budget target < <(awk -v n="$name" '$1 == n { print $2, $3 }' size-budgets.txt)
: "${budget:?no budget for $name in size-budgets.txt}"
echo "size: $name $file $raw bytes raw, $gz bytes gzip -9 (budget $budget, target $target)"
if [ "$gz" -gt "$budget" ]; then
  echo "size: $name is over its budget by $((gz - budget)) bytes gzipped (size-budgets.txt)" >&2
  exit 1
fi
