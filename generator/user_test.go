package generator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator"
)

// cookieTarget logs a user in with a redirect that sets the session cookie,
// as login forms do, and counts which requests carried it.
type cookieTarget struct {
	logins, loginsWithCookie, reads, readsWithCookie atomic.Int64
	sessions                                         atomic.Int64
}

func (c *cookieTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, err := r.Cookie("sid")
	has := err == nil
	switch r.URL.Path {
	case "/login":
		c.logins.Add(1)
		if has {
			c.loginsWithCookie.Add(1)
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: fmt.Sprint(c.sessions.Add(1)), Path: "/"})
		http.Redirect(w, r, "/home", http.StatusFound)
	case "/home":
	case "/me":
		c.reads.Add(1)
		if has {
			c.readsWithCookie.Add(1)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}
}

const loginScenario = `
name: login
tasks:
  - name: t
    steps:
      - {name: login, request: {path: /login}, check: {status: 200}}
      - {name: me, request: {path: /me}, check: {status: 200}}
`

func TestCookiesAreKeptPerUserAcrossRedirectsAndSteps(t *testing.T) {
	tests := []struct {
		name             string
		opts             generator.Options
		loginsWithCookie func(logins int64) int64
	}{
		// One user keeps its cookies from one iteration to the next.
		{"closed model", generator.Options{Users: 1, Iterations: 5}, func(logins int64) int64 { return logins - 1 }},
		// Every arrival is a new user, without cookies.
		{"open model", generator.Options{Rate: 50, MaxInFlight: 5, Iterations: 5}, func(int64) int64 { return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := &cookieTarget{}
			srv := httptest.NewServer(target)
			defer srv.Close()
			rec := newFakeRecorder()
			opts := tt.opts
			opts.Scenario, opts.Recorder = mustScenario(t, srv.URL, loginScenario), rec
			run(t, opts)
			if n := target.reads.Load(); n != 5 || target.readsWithCookie.Load() != n {
				t.Errorf("%d of %d reads carried the session cookie set by the login redirect, want all of 5", target.readsWithCookie.Load(), n)
			}
			logins := target.logins.Load()
			if got, want := target.loginsWithCookie.Load(), tt.loginsWithCookie(logins); got != want {
				t.Errorf("%d of %d logins carried a cookie, want %d", got, logins, want)
			}
			if failed := rec.count("me GET", "*") - rec.count("me GET", ""); failed != 0 {
				t.Errorf("%d reads failed", failed)
			}
		})
	}
}

func TestRequestTimeoutBoundsTheBodyRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("hello"))
		w.(http.Flusher).Flush()
		select { // the rest of the body never comes in time
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	tests := []struct{ name, step string }{
		{"body drained", `{name: s, request: {path: /}, check: {status: 200}}`},
		{"body kept for a check", `{name: s, request: {path: /}, check: {body_contains: hello}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newFakeRecorder()
			sc := mustScenario(t, srv.URL, "name: f\ntasks:\n  - name: t\n    steps:\n      - "+tt.step+"\n")
			run(t, generator.Options{Scenario: sc, Recorder: rec, Users: 2, Iterations: 4, RequestTimeout: 100 * time.Millisecond})
			if got := rec.count("s GET", generator.ReasonTimeout); got != 4 {
				t.Errorf("%d requests with reason timeout, want all 4", got)
			}
		})
	}
}

func TestRedirectsAndCredentialsAreSentAsHTTPClientSendsThem(t *testing.T) {
	var oldPosts, newGets, authorized, others atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/old":
			oldPosts.Add(1)
			http.Redirect(w, r, "/new", http.StatusSeeOther)
		case r.Method == "GET" && r.URL.Path == "/new":
			newGets.Add(1)
		case r.URL.Path == "/private":
			if user, pass, ok := r.BasicAuth(); ok && user == "ann" && pass == "secret" {
				authorized.Add(1)
				return
			}
			w.WriteHeader(http.StatusUnauthorized)
		default:
			others.Add(1)
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	scenario := `
name: r
tasks:
  - name: t
    steps:
      - {name: moved, request: {method: POST, path: /old, body: x}, check: {status: 200}}
      - {name: private, request: {url: "` + strings.Replace(srv.URL, "http://", "http://ann:secret@", 1) + `/private"}, check: {status: 200}}
`
	rec := newFakeRecorder()
	run(t, generator.Options{Scenario: mustScenario(t, srv.URL, scenario), Recorder: rec, Users: 2, Iterations: 6})
	if oldPosts.Load() != 6 || newGets.Load() != 6 || others.Load() != 0 {
		t.Errorf("target saw %d POST /old, %d GET /new, %d others; want 6, 6 (the 303 followed with a GET, once), 0", oldPosts.Load(), newGets.Load(), others.Load())
	}
	if got := rec.count("moved POST", ""); got != 6 {
		t.Errorf("%d redirected requests recorded as successes, want 6 (one request each, redirects included)", got)
	}
	if got := authorized.Load(); got != 6 {
		t.Errorf("%d requests carried the URL's credentials, want 6", got)
	}
}
