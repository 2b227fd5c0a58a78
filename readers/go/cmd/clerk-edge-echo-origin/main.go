// Command clerk-edge-echo-origin is a real net/http origin for the end-to-end test
// (tests/worker/readers.test.mjs): clerkedge.Middleware in front of a handler that answers with
// what the reader saw. Keys from the environment; prints its port on the first line of stdout.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	clerkedge "github.com/clerk-edge/clerk-edge/readers/go"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := clerkedge.FromContext(r.Context())
		forwarded := map[string]string{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-clerk-") {
				forwarded[strings.ToLower(k)] = strings.Join(v, ", ")
			}
		}
		out := map[string]interface{}{"reader": "go", "path": r.URL.Path, "forwarded": forwarded, "auth": map[string]interface{}{
			"status": a.Status, "reason": a.Reason, "userId": nil, "sessionId": nil, "orgId": nil, "orgRole": nil,
			"isAdmin": a.Has(map[string]interface{}{"role": "admin"}), "requestData": a.RequestData,
		}}
		if a.IsAuthenticated() {
			m := out["auth"].(map[string]interface{})
			m["userId"], m["sessionId"], m["orgId"], m["orgRole"] = a.Session.UserID, a.Session.SessionID, a.Session.OrgID, a.Session.OrgRole
			if a.Session.OrgID == "" {
				m["orgId"], m["orgRole"] = nil, nil
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	_ = http.Serve(ln, clerkedge.Middleware(clerkedge.FromEnvironment())(handler))
}
