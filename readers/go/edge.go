package clerkedge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Edge-signature error codes.
const (
	CodeEdgeSignatureMissing = "edge_signature_missing"
	CodeEdgeSignatureInvalid = "edge_signature_invalid"
	CodeEdgeSignatureExpired = "edge_signature_expired"
)

// DefaultEdgeMaxAgeSeconds: how old the Worker's signature may be when the origin reads it (plus skew).
const DefaultEdgeMaxAgeSeconds = 30

const hEdgeSignature = "x-clerk-edge-signature"

// Target is the request as the origin received it, bound by the Worker's x-clerk-edge-signature.
type Target struct {
	Method       string
	PathAndQuery string // the request target, e.g. "/a?b=1"
	Host         string // the Host header
}

func edgeCanonical(t int64, status, token, data string, r Target) string {
	return strings.Join([]string{"clerk-edge-signature/v1", strconv.FormatInt(t, 10), status, token, data,
		strings.ToUpper(r.Method), r.PathAndQuery, strings.ToLower(r.Host)}, "\n")
}

// verifyEdge returns "" when value is a valid, fresh signature by one of keys, else an error code.
// now < 0 skips the age checks.
func verifyEdge(value string, present bool, keys []string, status, token, data string, r Target, now, maxAge, skew float64) string {
	if !present {
		return CodeEdgeSignatureMissing
	}
	parts := strings.Split(value, ",")
	if len(parts) != 3 || parts[0] != "v1" || len(parts[1]) == 0 || len(parts[1]) > 12 || !isHex(parts[2], 64) {
		return CodeEdgeSignatureInvalid
	}
	for _, c := range parts[1] {
		if c < '0' || c > '9' {
			return CodeEdgeSignatureInvalid
		}
	}
	t, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return CodeEdgeSignatureInvalid
	}
	sig, _ := hex.DecodeString(parts[2])
	msg := []byte(edgeCanonical(t, status, token, data, r))
	ok := false
	for _, k := range keys {
		m := hmac.New(sha256.New, []byte(k))
		m.Write(msg)
		if hmac.Equal(m.Sum(nil), sig) {
			ok = true
		}
	}
	if !ok {
		return CodeEdgeSignatureInvalid
	}
	if now < 0 {
		return ""
	}
	if float64(t) > now+skew {
		return CodeEdgeSignatureInvalid
	}
	if now > float64(t)+maxAge+skew {
		return CodeEdgeSignatureExpired
	}
	return ""
}
