# Sourced by the scripts: pinned tools from node_modules, and no downloads or telemetry.
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen || true)"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export NEXT_TELEMETRY_DISABLED=1
