package controller

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

// Names of the control page's session cookie and CSRF header.
const (
	SessionCookie = "stampede_session"
	CSRFHeader    = "X-CSRF-Token"
	// sessionTTL bounds a browser session: past it, the token is asked again.
	sessionTTL = 12 * time.Hour
)

// sessions signs the control page's sessions: a cookie holding a random
// session id and its MAC, and a CSRF token derived from the id (double
// submit: the page carries it, and a cookie-authenticated call that changes
// something must send it in X-CSRF-Token). The key is random per process,
// so a restarted controller asks for the token again; nothing is stored.
type sessions struct {
	key [32]byte
}

func newSessions() *sessions {
	s := &sessions{}
	_, _ = rand.Read(s.key[:])
	return s
}

func (s *sessions) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key[:])
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil))
}

// newCookie starts a session.
func (s *sessions) newCookie(now time.Time, secure bool) *http.Cookie {
	var id [16]byte
	_, _ = rand.Read(id[:])
	sid := hex.EncodeToString(id[:]) + "-" + now.Add(sessionTTL).UTC().Format("20060102T150405Z")
	return &http.Cookie{
		Name: SessionCookie, Value: sid + "." + s.mac("session", sid), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure, MaxAge: int(sessionTTL.Seconds()),
	}
}

// session returns the session id of r's cookie, or "" without a valid,
// unexpired one.
func (s *sessions) session(r *http.Request, now time.Time) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	sid, sum, ok := strings.Cut(c.Value, ".")
	if !ok || subtle.ConstantTimeCompare([]byte(sum), []byte(s.mac("session", sid))) != 1 {
		return ""
	}
	_, expiry, _ := strings.Cut(sid, "-")
	end, err := time.Parse("20060102T150405Z", expiry)
	if err != nil || !now.Before(end) {
		return ""
	}
	return sid
}

// csrfToken is the CSRF token of session sid.
func (s *sessions) csrfToken(sid string) string { return s.mac("csrf", sid) }

// validCSRF says whether r carries the CSRF token of session sid.
func (s *sessions) validCSRF(r *http.Request, sid string) bool {
	got := r.Header.Get(CSRFHeader)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfToken(sid))) == 1
}

// validToken compares a token with the API token in constant time (of the
// hashes, so independent of the lengths too).
func validToken(want, got string) bool {
	w, g := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(w[:], g[:]) == 1
}

// requireAuth lets a request through with "Authorization: Bearer <token>",
// or with the control page's session cookie together with its CSRF token
// in X-CSRF-Token; without a token configured, everything goes through. The
// answer says nothing about what was wrong.
func (c *Controller) requireAuth(next http.Handler) http.Handler {
	token := c.opts.Token
	if token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		ok := bearer && validToken(token, got)
		if !ok && !bearer {
			sid := c.sessions.session(r, c.now())
			ok = sid != "" && c.sessions.validCSRF(r, sid)
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stampede"`)
			writeError(w, &api.Error{Status: http.StatusUnauthorized, Message: "unauthorized"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
