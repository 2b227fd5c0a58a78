package clerkedge

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

const testKey = "sk_test_goKey0123456789abcdefghijklmnopqr"

var testNow = time.Unix(1800000000, 0)

func testToken(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func sign(token, key string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func opts() Options {
	return Options{SecretKeys: []string{testKey}, ClockSkew: DefaultClockSkew, Now: func() time.Time { return testNow }}
}

func TestSharedVectorFile(t *testing.T) {
	path := os.Getenv("CLERK_EDGE_READER_VECTORS")
	if path == "" {
		t.Skip("set by scripts/test-readers.sh")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var report bytes.Buffer
	passed, failed, err := RunVectors(f, &report)
	if err != nil || failed != 0 || passed < 60 {
		t.Fatalf("%d passed, %d failed, %v\n%s", passed, failed, err, report.String())
	}
}

func TestMiddleware(t *testing.T) {
	tok := testToken(`{"sub":"user_1","sid":"sess_1","org_id":"org_1","org_role":"org:admin","exp":1800000060}`)
	o := opts()
	o.NoEdgeSignature = true
	h := Middleware(o)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := FromContext(r.Context())
		_, _ = w.Write([]byte(a.UserID() + " " + a.Session.OrgID))
		if !a.Has(map[string]interface{}{"role": "admin"}) {
			t.Error("has(role=admin)")
		}
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Clerk-Auth-Status", "signed-in")
	req.Header.Set("X-Clerk-Auth-Token", tok)
	req.Header.Set("X-Clerk-Auth-Signature", sign(tok, testKey))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "user_1 org_1" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	req.Header.Add("x-clerk-auth-status", "signed-out")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 || rec.Body.String() != `{"error":"header_duplicate"}` {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
}

func TestErrorsCarryNoSecrets(t *testing.T) {
	tok := testToken(`{"sub":"user_1","exp":1}`)
	_, err := ReadHeaders([][2]string{{"x-clerk-auth-status", "signed-in"}, {"x-clerk-auth-token", tok},
		{"x-clerk-auth-signature", sign(tok, testKey)}}, opts())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTokenExpired || strings.Contains(err.Error(), tok) {
		t.Fatalf("%v", err)
	}
}

func FuzzReadHeaders(f *testing.F) {
	tok := testToken(`{"sub":"u","exp":1800000060,"v":2,"fea":"o:a","o":{"id":"o","rol":"r","per":"p","fpm":"1"}}`)
	f.Add("signed-in", tok, sign(tok, testKey), "")
	f.Add("signed-out", "", "", "U2FsdGVkX1")
	f.Add("signed-in", "a.b.c", "", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, status, token, sig, data string) {
		if sig == "" {
			sig = sign(token, testKey)
		}
		a, err := ReadHeaders([][2]string{{"x-clerk-auth-status", status}, {"x-clerk-auth-token", token},
			{"x-clerk-auth-signature", sig}, {"x-clerk-request-data", data}}, Options{SecretKeys: []string{testKey},
			EncryptionKey: testKey, Now: func() time.Time { return testNow }})
		if err == nil {
			_ = a.Has(map[string]interface{}{"role": "r", "permission": "a:p", "feature": "a", "plan": "x"})
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func TestMiddlewareEdgeSignature(t *testing.T) {
	tok := testToken(`{"sub":"user_1","exp":1800000060}`)
	h := Middleware(opts())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(FromContext(r.Context()).UserID()))
	}))
	edge := func(path string) string {
		m := hmac.New(sha256.New, []byte(testKey))
		m.Write([]byte(edgeCanonical(1800000000, "signed-in", tok, "", Target{"GET", path, "example.com"})))
		return "v1,1800000000," + hex.EncodeToString(m.Sum(nil))
	}
	send := func(target, sig string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("X-Clerk-Auth-Status", "signed-in")
		req.Header.Set("X-Clerk-Auth-Token", tok)
		req.Header.Set("X-Clerk-Auth-Signature", sign(tok, testKey))
		if sig != "" {
			req.Header.Set("X-Clerk-Edge-Signature", sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := send("/a?x=1", edge("/a?x=1")); rec.Code != 200 || rec.Body.String() != "user_1" {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	if rec := send("/b", edge("/a?x=1")); rec.Code != 401 || rec.Body.String() != `{"error":"edge_signature_invalid"}` {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
	if rec := send("/a?x=1", ""); rec.Code != 401 || rec.Body.String() != `{"error":"edge_signature_missing"}` {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
}
