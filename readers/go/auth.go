package clerkedge

import (
	"math/big"
	"strings"
)

const jsWhitespace = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

// SessionAuth holds the signed-in properties derived from edge-verified session claims (v1 and v2).
type SessionAuth struct {
	UserID         string
	SessionID      string
	SessionStatus  string
	OrgID          string
	OrgRole        string
	OrgSlug        string
	OrgPermissions []string // nil when the token has no permission claim
	Claims         map[string]interface{}

	hasUserID                                bool
	hasSessionID, hasSessionStatus, hasOrgID bool
	hasOrgRole, hasOrgSlug                   bool
}

func str(v interface{}) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func truthy(v interface{}) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	}
	return true
}

func splitByScope(claim string) (org, user []string, ok bool) {
	if claim == "" {
		return nil, nil, true
	}
	for _, part := range strings.Split(claim, ",") {
		part = strings.Trim(part, jsWhitespace)
		i := strings.IndexByte(part, ':')
		if i < 0 {
			return nil, nil, false
		}
		scope, name := part[:i], part[i+1:]
		switch scope {
		case "o":
			org = append(org, name)
		case "u":
			user = append(user, name)
		case "ou", "uo":
			org = append(org, name)
			user = append(user, name)
		}
	}
	return org, user, true
}

func decodeV2Permissions(fea, per, fpm string) []string {
	out := []string{}
	if per == "" || fpm == "" {
		return out
	}
	features, _, ok := splitByScope(fea)
	if !ok {
		return out
	}
	perms := strings.Split(per, ",")
	for i := range perms {
		perms[i] = strings.Trim(perms[i], jsWhitespace)
	}
	masks := strings.Split(fpm, ",")
	for i, feature := range features {
		if i >= len(masks) {
			break
		}
		mask := strings.Trim(masks[i], jsWhitespace)
		if mask == "" || strings.IndexFunc(mask, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			continue
		}
		bits, ok := new(big.Int).SetString(mask, 10)
		if !ok {
			continue
		}
		for j, p := range perms {
			if bits.Bit(j) == 1 {
				out = append(out, "org:"+feature+":"+p)
			}
		}
	}
	return out
}

func newSessionAuth(claims map[string]interface{}) *SessionAuth {
	a := &SessionAuth{Claims: claims}
	a.UserID, a.hasUserID = str(claims["sub"])
	a.SessionID, a.hasSessionID = str(claims["sid"])
	a.SessionStatus, a.hasSessionStatus = str(claims["sts"])
	if v, isNum := claims["v"].(float64); isNum && v == 2 {
		if o := claims["o"]; truthy(o) {
			om, _ := o.(map[string]interface{})
			a.OrgID, a.hasOrgID = str(om["id"])
			a.OrgSlug, a.hasOrgSlug = str(om["slg"])
			if rol, ok := str(om["rol"]); ok && rol != "" {
				a.OrgRole, a.hasOrgRole = "org:"+rol, true
			}
			fea, _ := str(claims["fea"])
			per, _ := str(om["per"])
			fpm, _ := str(om["fpm"])
			a.OrgPermissions = decodeV2Permissions(fea, per, fpm)
		}
	} else {
		a.OrgID, a.hasOrgID = str(claims["org_id"])
		a.OrgRole, a.hasOrgRole = str(claims["org_role"])
		a.OrgSlug, a.hasOrgSlug = str(claims["org_slug"])
		if list, ok := claims["org_permissions"].([]interface{}); ok {
			a.OrgPermissions = []string{}
			for _, p := range list {
				if s, ok := p.(string); ok {
					a.OrgPermissions = append(a.OrgPermissions, s)
				}
			}
		}
	}
	return a
}

func withOrgPrefix(v string) string {
	for strings.HasPrefix(v, "org:") {
		v = v[4:]
	}
	return "org:" + v
}

func entitled(claim interface{}, asked string) bool {
	c, ok := claim.(string)
	if !ok || c == "" {
		return false
	}
	org, user, ok := splitByScope(c)
	if !ok {
		return false
	}
	scope, name, scoped := "", asked, false
	if i := strings.IndexByte(asked, ':'); i >= 0 {
		scope, name, scoped = asked[:i], asked[i+1:], true
	}
	if name == "" || strings.Contains(name, ":") {
		return false
	}
	in := func(list []string) bool {
		for _, x := range list {
			if x == name {
				return true
			}
		}
		return false
	}
	switch {
	case !scoped:
		return in(org) || in(user)
	case scope == "o" || scope == "org" || scope == "organization":
		return in(org)
	case scope == "u" || scope == "user":
		return in(user)
	}
	return false
}

// check results: 0 skipped, 1 pass, -1 fail.
func (a *SessionAuth) checkOrg(p map[string]interface{}) int {
	role, askRole := p["role"]
	perm, askPerm := p["permission"]
	if !askRole && !askPerm {
		return 0
	}
	r, rOK := role.(string)
	q, qOK := perm.(string)
	if (askRole && !rOK) || (askPerm && !qOK) || a.OrgID == "" {
		return -1
	}
	if askRole && (a.OrgRole == "" || withOrgPrefix(a.OrgRole) != withOrgPrefix(r)) {
		return -1
	}
	if askPerm {
		want := withOrgPrefix(q)
		for _, x := range a.OrgPermissions {
			if x == want {
				return 1
			}
		}
		return -1
	}
	return 1
}

func (a *SessionAuth) checkBilling(p map[string]interface{}) int {
	f, askF := p["feature"]
	pl, askP := p["plan"]
	if !askF && !askP {
		return 0
	}
	for _, c := range []struct {
		asked bool
		v     interface{}
		claim string
	}{{askF, f, "fea"}, {askP, pl, "pla"}} {
		if !c.asked {
			continue
		}
		s, ok := c.v.(string)
		if !ok || !entitled(a.Claims[c.claim], s) {
			return -1
		}
	}
	return 1
}

// Has is Clerk's has() for role, permission, feature and plan: true iff something asked passes and
// nothing asked fails. Reverification is not supported here: asking for it fails.
func (a *SessionAuth) Has(params map[string]interface{}) bool {
	if a == nil || a.UserID == "" || params == nil {
		return false
	}
	checks := []int{a.checkOrg(params), a.checkBilling(params)}
	if _, ok := params["reverification"]; ok {
		checks = append(checks, -1)
	}
	pass := false
	for _, c := range checks {
		if c < 0 {
			return false
		}
		pass = pass || c > 0
	}
	return pass
}
