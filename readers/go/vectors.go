package clerkedge

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"time"
)

// VectorSchema is the vector file format all readers run (docs/reader-vectors.md).
const VectorSchema = "clerk-edge/reader-vectors/v1"

type vectorFile struct {
	Schema  string                 `json:"schema"`
	Options map[string]interface{} `json:"options"`
	Cases   []struct {
		Name    string                 `json:"name"`
		Options map[string]interface{} `json:"options"`
		Headers [][2]string            `json:"headers"`
		Request map[string]interface{} `json:"request"`
		Expect  interface{}            `json:"expect"`
	} `json:"cases"`
}

func nullable(s string, present bool) interface{} {
	if !present {
		return nil
	}
	return s
}

func observe(headers [][2]string, opts map[string]interface{}, request map[string]interface{}, has []interface{}) interface{} {
	o := Options{ClockSkew: DefaultClockSkew}
	if on, _ := opts["edgeSignature"].(bool); on {
		m, _ := request["method"].(string)
		p, _ := request["path"].(string)
		h, _ := request["host"].(string)
		o.Edge = &Target{Method: m, PathAndQuery: p, Host: h}
	}
	if s, ok := opts["edgeMaxAgeSeconds"].(float64); ok {
		o.EdgeMaxAge = time.Duration(s * float64(time.Second))
	}
	if ks, ok := opts["secretKeys"].([]interface{}); ok {
		for _, k := range ks {
			if s, ok := k.(string); ok {
				o.SecretKeys = append(o.SecretKeys, s)
			}
		}
	}
	o.EncryptionKey, _ = opts["encryptionKey"].(string)
	o.ClerkCompatible, _ = opts["clerkCompatible"].(bool)
	if s, ok := opts["clockSkewSeconds"].(float64); ok {
		o.ClockSkew = time.Duration(s * float64(time.Second))
	}
	if now, ok := opts["now"].(float64); ok {
		o.Now = func() time.Time { return time.Unix(0, int64(now*1e9)) }
	} else {
		o.SkipTimeChecks = true
	}
	a, err := ReadHeaders(headers, o)
	if err != nil {
		return map[string]interface{}{"error": err.(*Error).Code}
	}
	s := a.Session
	if s == nil {
		s = &SessionAuth{}
	}
	answers := []interface{}{}
	for _, h := range has {
		hm, _ := h.(map[string]interface{})
		params, _ := hm["params"].(map[string]interface{})
		answers = append(answers, map[string]interface{}{"params": hm["params"], "result": a.Has(params)})
	}
	var perms interface{}
	if s.OrgPermissions != nil {
		list := []interface{}{}
		for _, p := range s.OrgPermissions {
			list = append(list, p)
		}
		perms = list
	}
	var claims interface{}
	if a.Session != nil {
		claims = a.Session.Claims
	}
	return map[string]interface{}{"ok": map[string]interface{}{
		"status": a.Status, "reason": a.Reason, "message": a.Message,
		"isAuthenticated": a.IsAuthenticated(),
		"userId":          nullable(s.UserID, s.hasUserID),
		"sessionId":       nullable(s.SessionID, s.hasSessionID),
		"sessionStatus":   nullable(a.SessionStatus, a.hasSessStatus),
		"orgId":           nullable(s.OrgID, s.hasOrgID),
		"orgRole":         nullable(s.OrgRole, s.hasOrgRole),
		"orgSlug":         nullable(s.OrgSlug, s.hasOrgSlug),
		"orgPermissions":  perms,
		"sessionClaims":   claims,
		"requestData":     a.RequestData,
		"has":             answers,
	}}
}

// normalize round-trips through JSON so both sides compare as plain decoded values.
func normalize(v interface{}) interface{} {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out interface{}
	_ = json.Unmarshal(b, &out)
	return out
}

// RunVectors runs a vector file; failures are described on report.
func RunVectors(r io.Reader, report io.Writer) (passed, failed int, err error) {
	var f vectorFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return 0, 0, err
	}
	if f.Schema != VectorSchema {
		return 0, 0, fmt.Errorf("not a %s file", VectorSchema)
	}
	for _, c := range f.Cases {
		opts := map[string]interface{}{}
		for k, v := range f.Options {
			opts[k] = v
		}
		for k, v := range c.Options {
			opts[k] = v
		}
		var has []interface{}
		if e, ok := c.Expect.(map[string]interface{}); ok {
			if okv, ok := e["ok"].(map[string]interface{}); ok {
				has, _ = okv["has"].([]interface{})
			}
		}
		got := normalize(observe(c.Headers, opts, c.Request, has))
		if reflect.DeepEqual(got, normalize(c.Expect)) {
			passed++
		} else {
			failed++
			g, _ := json.Marshal(got)
			e, _ := json.Marshal(c.Expect)
			fmt.Fprintf(report, "FAIL %s\n  expected %s\n  got      %s\n", c.Name, e, g)
		}
	}
	return passed, failed, nil
}
