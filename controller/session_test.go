package controller

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// csrfMeta finds the CSRF token the page carries.
var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([0-9a-f]*)">`)

func TestSessionLoginAndCSRF(t *testing.T) {
	e := newEnv(t, Options{Token: "s3cret"})
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	resp, err := browser.PostForm(e.srv.URL+"/login", url.Values{"token": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login with a wrong token: %d, want 401", resp.StatusCode)
	}

	resp, err = browser.PostForm(e.srv.URL+"/login", url.Values{"token": {"s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := csrfMeta.FindStringSubmatch(string(page))
	if resp.StatusCode != http.StatusOK || m == nil || m[1] == "" {
		t.Fatalf("after login: %d, CSRF token %v", resp.StatusCode, m)
	}
	u, _ := url.Parse(e.srv.URL)
	cookies := jar.Cookies(u)
	if len(cookies) != 1 || cookies[0].Name != SessionCookie {
		t.Fatalf("cookies %v, want the session", cookies)
	}
	cookie := SessionCookie + "=" + cookies[0].Value

	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"cookie alone", map[string]string{"Cookie": cookie}, http.StatusUnauthorized},
		{"cookie and a wrong CSRF token", map[string]string{"Cookie": cookie, CSRFHeader: strings.Repeat("0", 64)}, http.StatusUnauthorized},
		{"CSRF token alone", map[string]string{CSRFHeader: m[1]}, http.StatusUnauthorized},
		{"forged cookie", map[string]string{"Cookie": SessionCookie + "=abc-20990101T000000Z.00", CSRFHeader: m[1]}, http.StatusUnauthorized},
		// Past the check: the NoScaler answers that it does not scale.
		{"cookie and CSRF token", map[string]string{"Cookie": cookie, CSRFHeader: m[1]}, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.send("PUT", "/api/v1/workers/scale", `{"replicas": 0}`, tt.headers)
			if got.status != tt.want {
				t.Errorf("rescale: %d %s, want %d", got.status, got.body, tt.want)
			}
		})
	}
	// The session ends after its TTL.
	e.clock.Advance(sessionTTL + time.Second)
	if got := e.send("PUT", "/api/v1/workers/scale", `{"replicas": 0}`, map[string]string{"Cookie": cookie, CSRFHeader: m[1]}); got.status != http.StatusUnauthorized {
		t.Errorf("expired session: %d, want 401", got.status)
	}
}
