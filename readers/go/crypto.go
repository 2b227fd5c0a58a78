package clerkedge

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

var (
	gcmAAD   = []byte("clerk-edge/request-data/v1")
	hkdfSalt = []byte("clerk-edge/request-data/v1/hkdf-salt")
	hkdfInfo = []byte("aes-256-gcm key")
)

func inAlphabet(s string, extra1, extra2 byte) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == extra1 || c == extra2) {
			return false
		}
	}
	return true
}

// b64URLLoose decodes base64url as Clerk decodes JWT segments: padding optional, leftover bits dropped.
func b64URLLoose(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if !inAlphabet(s, '-', '_') {
		return nil, false
	}
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}

// b64Forgiving is WHATWG forgiving-base64 (atob).
func b64Forgiving(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\f', '\r':
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	if len(s)%4 == 1 || !inAlphabet(s, '+', '/') {
		return nil, false
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// verifySignature: constant-time check of the hex HMAC-SHA1 of the token (hex case ignored).
func verifySignature(token, signature, secretKey string) bool {
	if token == "" || !isHex(signature, 40) {
		return false
	}
	got, _ := hex.DecodeString(signature)
	mac := hmac.New(sha1.New, []byte(secretKey))
	mac.Write([]byte(token))
	return hmac.Equal(mac.Sum(nil), got)
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// gcmKey: 64 hex digits are the key; a passphrase of at least 32 characters goes through HKDF-SHA256.
func gcmKey(setting string) ([]byte, bool) {
	v := strings.TrimSpace(setting)
	if isHex(v, 64) {
		k, _ := hex.DecodeString(v)
		return k, true
	}
	if utf8.RuneCountInString(v) < 32 {
		return nil, false
	}
	prk := hmacSHA256(hkdfSalt, []byte(v))
	return hmacSHA256(prk, hkdfInfo, []byte{1}), true
}

func decryptGCM(keySetting, value string) ([]byte, bool) {
	key, ok := gcmKey(keySetting)
	raw, ok2 := b64URLLoose(value)
	if !ok || !ok2 || len(raw) < 1+12+16 || raw[0] != 1 {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	plain, err := aead.Open(nil, raw[1:13], raw[13:], gcmAAD)
	return plain, err == nil
}

func decryptClerk(passphrase, value string) ([]byte, bool) {
	raw, ok := b64Forgiving(value)
	if !ok || !bytes.HasPrefix(raw, []byte("Salted__")) {
		return nil, false
	}
	body := raw[8:]
	if len(body) < 8+16 || (len(body)-8)%16 != 0 {
		return nil, false
	}
	salt, ct := body[:8], body[8:]
	var material, prev []byte
	for len(material) < 48 { // EVP_BytesToKey(MD5, 1 iteration)
		h := md5.New()
		h.Write(prev)
		h.Write([]byte(passphrase))
		h.Write(salt)
		prev = h.Sum(nil)
		material = append(material, prev...)
	}
	block, err := aes.NewCipher(material[:32])
	if err != nil {
		return nil, false
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, material[32:48]).CryptBlocks(plain, ct)
	n := int(plain[len(plain)-1])
	if n < 1 || n > 16 {
		return nil, false
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			return nil, false
		}
	}
	return plain[:len(plain)-n], true
}

// decryptRequestData opens either format (Clerk's always starts with base64 "Salted__") to a JSON object.
func decryptRequestData(value, key string) (map[string]interface{}, bool) {
	var plain []byte
	var ok bool
	if strings.HasPrefix(value, "U2FsdGVkX1") {
		plain, ok = decryptClerk(key, value)
	} else {
		plain, ok = decryptGCM(key, value)
	}
	if !ok || !utf8.Valid(plain) {
		return nil, false
	}
	var data interface{}
	if json.Unmarshal(plain, &data) != nil {
		return nil, false
	}
	m, isObj := data.(map[string]interface{})
	return m, isObj
}
