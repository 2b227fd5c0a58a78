"""A real WSGI origin (stdlib wsgiref) behind the Worker in tests/worker/readers.test.mjs: one line of
setup (ClerkEdgeWSGI), then it answers with what its reader saw. Keys from CLERK_SECRET_KEY /
CLERK_ENCRYPTION_KEY; prints its port on the first line of stdout."""
import json
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from clerk_edge_reader import ClerkEdgeWSGI, auth_from_environ


def app(environ, start_response):
    a = auth_from_environ(environ)
    body = json.dumps({"reader": "python", "path": environ.get("PATH_INFO"), "auth": a and {
        "status": a.status, "reason": a.reason, "userId": a.user_id, "sessionId": a.session_id,
        "orgId": a.org_id, "orgRole": a.org_role, "isAdmin": a.has(role="admin"),
        "requestData": a.request_data,
    }, "forwarded": {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_X_CLERK_")}}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # no request lines (they would carry nothing secret, but stay quiet)
        pass


server = make_server("127.0.0.1", 0, ClerkEdgeWSGI(app), handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
