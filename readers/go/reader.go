// Package clerkedge verifies the auth headers clerk-edge (Clerk's clerkMiddleware() at the edge)
// forwards to a Go origin. The contract, step by step, is docs/reader-vectors.md; every reader
// (Rust, Node, Python, Go) runs the same vector file.
package clerkedge

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"time"
)

// MaxHeaderBytes: any single forwarded header longer than this is refused.
const MaxHeaderBytes = 16 * 1024

// DefaultClockSkew for the exp/nbf checks (Clerk's default).
const DefaultClockSkew = 5 * time.Second

// Error codes, identical in every reader.
const (
	CodeHeaderDuplicate      = "header_duplicate"
	CodeHeaderTooLarge       = "header_too_large"
	CodeMiddlewareMissing    = "middleware_missing"
	CodeStatusInvalid        = "status_invalid"
	CodeEncryptionKeyInvalid = "encryption_key_invalid"
	CodeAuthSignatureInvalid = "auth_signature_invalid"
	CodeTokenMalformed       = "token_malformed"
	CodeTokenExpired         = "token_expired"
	CodeTokenNotYetValid     = "token_not_yet_valid"
)

const (
	hStatus      = "x-clerk-auth-status"
	hToken       = "x-clerk-auth-token"
	hSignature   = "x-clerk-auth-signature"
	hReason      = "x-clerk-auth-reason"
	hMessage     = "x-clerk-auth-message"
	hRequestData = "x-clerk-request-data"
)

// Error is a header set that must not be trusted. It never carries a secret or a token.
type Error struct{ Code string }

func (e *Error) Error() string { return "clerk-edge reader: " + e.Code }

// Options configure a reader; FromEnvironment() gives the usual setup. exp/nbf are always checked
// unless SkipTimeChecks, with ClockSkew tolerance (FromEnvironment: DefaultClockSkew; zero: none).
type Options struct {
	SecretKeys      []string // HMAC keys, tried in order
	EncryptionKey   string   // request-data key; empty → the secret keys are tried
	ClerkCompatible bool     // a secretKey in the request data replaces SecretKeys (Clerk's dynamic keys)
	ClockSkew       time.Duration
	SkipTimeChecks  bool             // do not check exp/nbf
	Now             func() time.Time // default time.Now
	FromEnv         bool             // fill empty SecretKeys/EncryptionKey from the environment
	// Edge, when set, requires the Worker's x-clerk-edge-signature over this request (Read and
	// Middleware set it from the *http.Request unless NoEdgeSignature).
	Edge            *Target
	EdgeMaxAge      time.Duration // default DefaultEdgeMaxAgeSeconds
	NoEdgeSignature bool          // origins behind the Next shim, which sends no edge signature
}

// FromEnvironment returns Options with keys from CLERK_SECRET_KEY and CLERK_ENCRYPTION_KEY.
func FromEnvironment() Options {
	var keys []string
	for _, k := range strings.Split(os.Getenv("CLERK_SECRET_KEY"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return Options{SecretKeys: keys, EncryptionKey: os.Getenv("CLERK_ENCRYPTION_KEY"), ClockSkew: DefaultClockSkew,
		EdgeMaxAge: DefaultEdgeMaxAgeSeconds * time.Second}
}

// Auth is what the origin may trust.
type Auth struct {
	Status        string
	Reason        string
	Message       string
	Token         string
	RequestData   map[string]interface{}
	Session       *SessionAuth // nil when signed out (a pending session reads as signed out)
	SessionStatus string       // sts of a signed-in token, also when pending
	hasSessStatus bool
}

// IsAuthenticated reports a signed-in, active session.
func (a *Auth) IsAuthenticated() bool { return a != nil && a.Session != nil }

// UserID is "" when signed out.
func (a *Auth) UserID() string {
	if a.IsAuthenticated() {
		return a.Session.UserID
	}
	return ""
}

// Has answers Clerk's has() (false when signed out).
func (a *Auth) Has(params map[string]interface{}) bool {
	return a.IsAuthenticated() && a.Session.Has(params)
}

func fail(code string) (*Auth, error) { return nil, &Error{Code: code} }

func number(v interface{}) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsInf(f, 0) && !math.IsNaN(f)
}

func decodeClaims(token string) (map[string]interface{}, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	var seg [3][]byte
	for i, p := range parts {
		b, ok := b64URLLoose(p)
		if !ok {
			return nil, false
		}
		seg[i] = b
	}
	var header, payload interface{}
	// Invalid UTF-8 is replaced, as TextDecoder does at the edge.
	if json.Unmarshal([]byte(strings.ToValidUTF8(string(seg[0]), "\uFFFD")), &header) != nil ||
		json.Unmarshal([]byte(strings.ToValidUTF8(string(seg[1]), "\uFFFD")), &payload) != nil {
		return nil, false
	}
	m, ok := payload.(map[string]interface{})
	if !ok {
		m = map[string]interface{}{}
	}
	return m, true
}

// ReadHeaders verifies a forwarded header set given as name/value pairs (names case-insensitive).
func ReadHeaders(pairs [][2]string, o Options) (*Auth, error) {
	if o.FromEnv {
		env := FromEnvironment()
		if len(o.SecretKeys) == 0 {
			o.SecretKeys = env.SecretKeys
		}
		if o.EncryptionKey == "" {
			o.EncryptionKey = env.EncryptionKey
		}
	}
	found := map[string]string{}
	for _, p := range pairs {
		name := strings.ToLower(p[0])
		switch name {
		case hStatus, hToken, hSignature, hReason, hMessage, hRequestData, hEdgeSignature:
			if _, dup := found[name]; dup {
				return fail(CodeHeaderDuplicate)
			}
			if len(p[1]) > MaxHeaderBytes {
				return fail(CodeHeaderTooLarge)
			}
			found[name] = p[1]
		}
	}
	status, ok := found[hStatus]
	if !ok {
		return fail(CodeMiddlewareMissing)
	}
	if status != "signed-in" && status != "signed-out" {
		return fail(CodeStatusInvalid)
	}
	now := -1.0
	if !o.SkipTimeChecks {
		clock := time.Now
		if o.Now != nil {
			clock = o.Now
		}
		now = float64(clock().UnixNano()) / 1e9
	}
	skew := o.ClockSkew.Seconds()
	if o.Edge != nil && !o.NoEdgeSignature {
		maxAge := o.EdgeMaxAge.Seconds()
		if o.EdgeMaxAge == 0 {
			maxAge = DefaultEdgeMaxAgeSeconds
		}
		edge, present := found[hEdgeSignature]
		if code := verifyEdge(edge, present, o.SecretKeys, status, found[hToken], found[hRequestData], *o.Edge,
			now, maxAge, skew); code != "" {
			return fail(code)
		}
	}
	data := map[string]interface{}{}
	if raw := found[hRequestData]; raw != "" {
		keys := o.SecretKeys
		if o.EncryptionKey != "" {
			keys = []string{o.EncryptionKey}
		}
		opened := false
		for _, k := range keys {
			if d, ok := decryptRequestData(raw, k); ok {
				data, opened = d, true
				break
			}
		}
		if !opened {
			return fail(CodeEncryptionKeyInvalid)
		}
	}
	out := &Auth{Status: status, Reason: found[hReason], Message: found[hMessage], RequestData: data}
	if status == "signed-out" {
		return out, nil
	}
	token, sig := found[hToken], found[hSignature]
	keys := o.SecretKeys
	if dyn, ok := data["secretKey"].(string); ok && dyn != "" && o.ClerkCompatible {
		keys = []string{dyn}
	}
	verified := false
	for _, k := range keys {
		if verifySignature(token, sig, k) {
			verified = true
			break
		}
	}
	if !verified {
		return fail(CodeAuthSignatureInvalid)
	}
	claims, ok := decodeClaims(token)
	if !ok {
		return fail(CodeTokenMalformed)
	}
	exp, ok := number(claims["exp"])
	if !ok {
		return fail(CodeTokenMalformed)
	}
	nbfRaw, hasNbf := claims["nbf"]
	nbf, nbfOK := number(nbfRaw)
	if hasNbf && !nbfOK {
		return fail(CodeTokenMalformed)
	}
	if !o.SkipTimeChecks {
		if now > exp+skew {
			return fail(CodeTokenExpired)
		}
		if hasNbf && nbf > now+skew {
			return fail(CodeTokenNotYetValid)
		}
	}
	s := newSessionAuth(claims)
	out.SessionStatus, out.hasSessStatus = s.SessionStatus, s.hasSessionStatus
	if s.SessionStatus != "pending" {
		out.Session = s
	}
	out.Token = token
	return out, nil
}
