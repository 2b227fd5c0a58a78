#!/usr/bin/env bash
# One command from a fresh clone to a running demo: installs what is missing, generates a demo
# key pair on first run, builds the Worker and starts it in workerd (wrangler dev) in front of
# the built-in demo origin.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8787}"
bash scripts/setup.sh
source scripts/env.sh
if [ ! -f .demo/private.pem ]; then
  mkdir -p .demo
  node -e '
    const c=require("crypto"),fs=require("fs");
    const {publicKey,privateKey}=c.generateKeyPairSync("rsa",{modulusLength:2048});
    fs.writeFileSync(".demo/private.pem",privateKey.export({type:"pkcs8",format:"pem"}));
    fs.writeFileSync(".demo/public.pem",publicKey.export({type:"spki",format:"pem"}));'
  echo "demo: generated a key pair in .demo/"
fi
if [ ! -f .dev.vars ]; then
  {
    printf 'CLERK_SECRET_KEY="sk_live_demo_%s"\n' "$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
    printf 'CLERK_JWT_KEY="%s"\n' "$(awk '{printf "%s\\n", $0}' .demo/public.pem)"
    printf 'CLERK_ENCRYPTION_KEY="%s"\n' "$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
  } > .dev.vars
  echo "demo: wrote .dev.vars (secrets for wrangler dev)"
fi
bash scripts/build-worker.sh
cat <<MSG

clerk-edge demo on http://127.0.0.1:$PORT — in another terminal:

  T=\$(node scripts/mint.mjs --sub user_1)                                  # a session token
  curl -s http://127.0.0.1:$PORT/dashboard -H "cookie: __session=\$T; __client_uat=1"   # signed-in
  curl -s http://127.0.0.1:$PORT/dashboard -H 'accept: application/json'    # signed-out, 404 (protected)
  curl -si http://127.0.0.1:$PORT/dashboard -H 'sec-fetch-dest: document'   # 307 to /sign-in
  curl -si http://127.0.0.1:$PORT/ -H 'sec-fetch-dest: document' -H 'cookie: __client_uat=1'  # handshake 307
  A=\$(node scripts/mint.mjs --org-id org_1 --org-slug acme --role admin)
  curl -s http://127.0.0.1:$PORT/admin -H "authorization: Bearer \$A"           # role=org:admin
  curl -si http://127.0.0.1:$PORT/orgs/other -H 'sec-fetch-dest: document' -H "cookie: __session=\$A; __client_uat=1"  # org sync handshake

MSG
exec npx wrangler dev --env demo --ip 127.0.0.1 --port "$PORT"
