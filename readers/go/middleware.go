package clerkedge

import (
	"context"
	"net/http"
)

type ctxKey struct{}

// Read verifies the clerk-edge headers of r, including the Worker's x-clerk-edge-signature over
// r's method, request target and Host (unless o.NoEdgeSignature).
func Read(r *http.Request, o Options) (*Auth, error) {
	var pairs [][2]string
	for name, values := range r.Header {
		for _, v := range values {
			pairs = append(pairs, [2]string{name, v})
		}
	}
	if !o.NoEdgeSignature && o.Edge == nil {
		o.Edge = &Target{Method: r.Method, PathAndQuery: r.RequestURI, Host: r.Host}
		if o.Edge.PathAndQuery == "" { // a client-side request: no raw request line
			o.Edge.PathAndQuery = r.URL.RequestURI()
		}
	}
	return ReadHeaders(pairs, o)
}

// Middleware puts the verified Auth on the request context (FromContext). A header set that does
// not verify is answered 401 {"error": "<code>"}: the origin must not serve it as anyone.
func Middleware(o Options) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, err := Read(r, o)
			if err != nil {
				code := CodeMiddlewareMissing
				if e, ok := err.(*Error); ok {
					code = e.Code
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"` + code + `"}`))
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)))
		})
	}
}

// FromContext returns the Auth Middleware stored (nil outside it).
func FromContext(ctx context.Context) *Auth {
	a, _ := ctx.Value(ctxKey{}).(*Auth)
	return a
}
