package scenario

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// ctxKey marks the caller's context.
type ctxKey struct{}

func TestNewSharedRequestMatchesNewRequest(t *testing.T) {
	tests := []struct {
		name, step string
		shared     bool // built once and shared between calls
		userAgent  string
	}{
		{"static GET", `{name: s, request: {path: /hello}}`, true, "stampede"},
		{"static, no user agent", `{name: s, request: {path: /hello}}`, true, ""},
		{"step sets the user agent", `{name: s, request: {path: /, headers: {user-agent: mine}}}`, true, "stampede"},
		{"static headers, query and Host", `{name: s, request: {path: "/a?x=1", query: {b: "2 3"}, headers: {X-Key: k, Host: example.com}}}`, true, "ua"},
		{"static JSON body", `{name: s, request: {method: POST, path: /todo, json: {a: 1, b: [x]}}}`, true, "ua"},
		{"static raw body", `{name: s, request: {method: PUT, path: /raw, body: "a=1&b=2"}}`, true, "ua"},
		{"absolute URL", `{name: s, request: {url: "http://127.0.0.1:9/x"}}`, true, "ua"},
		{"templated path", `{name: s, request: {path: "/todo/{{ .id }}"}}`, false, "ua"},
		{"templated header", `{name: s, request: {path: /, headers: {X-Id: "{{ .id }}"}}}`, false, "ua"},
		{"templated query", `{name: s, request: {path: /, query: {n: "{{ randInt 1 9 }}"}}}`, false, "ua"},
		{"templated body", `{name: s, request: {method: POST, path: /, json: {id: "{{ .id }}"}}}`, false, "ua"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The first step extracts the variable the templates read.
			st := mustParse(t, "      - {name: e, request: {path: /e}, extract: {id: Id}}\n      - "+tt.step+"\n").Tasks[0].Steps[1]
			ctx := context.WithValue(context.Background(), ctxKey{}, "mine")
			want, err := st.NewRequest(ctx, "http://127.0.0.1:8080", fullVars, newRand(1))
			if err != nil {
				t.Fatal(err)
			}
			if want.Header.Get("User-Agent") == "" && tt.userAgent != "" {
				want.Header.Set("User-Agent", tt.userAgent)
			}
			wantBody := readBody(t, want)
			var first *http.Request
			for range 3 { // the body is new on every call
				got, err := st.NewSharedRequest(ctx, "http://127.0.0.1:8080", fullVars, newRand(1), tt.userAgent)
				if err != nil {
					t.Fatal(err)
				}
				if got.Context() != ctx {
					t.Error("the request does not carry the caller's context")
				}
				if got.Method != want.Method || got.URL.String() != want.URL.String() || got.Host != want.Host || got.ContentLength != want.ContentLength {
					t.Errorf("got %s %s host %q length %d, want %s %s host %q length %d", got.Method, got.URL, got.Host, got.ContentLength, want.Method, want.URL, want.Host, want.ContentLength)
				}
				if g, w := len(got.Header), len(want.Header); g != w {
					t.Errorf("%d headers %v, want %d %v", g, got.Header, w, want.Header)
				}
				for k := range want.Header {
					if got.Header.Get(k) != want.Header.Get(k) {
						t.Errorf("header %s: %q, want %q", k, got.Header.Get(k), want.Header.Get(k))
					}
				}
				if body := readBody(t, got); body != wantBody {
					t.Errorf("body %q, want %q", body, wantBody)
				}
				if first == nil {
					first = got
				} else if shared := got.URL == first.URL; shared != tt.shared {
					t.Errorf("URL shared between calls: %v, want %v", shared, tt.shared)
				}
			}
		})
	}
}

func TestNewSharedRequestFollowsTheBaseURL(t *testing.T) {
	st := mustParse(t, "      - {name: s, request: {path: /x}}\n").Tasks[0].Steps[0]
	for _, base := range []string{"http://127.0.0.1:1", "http://127.0.0.1:2/", "http://127.0.0.1:1"} {
		req, err := st.NewSharedRequest(context.Background(), base, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := base[:len("http://127.0.0.1:1")] + "/x"; req.URL.String() != want {
			t.Errorf("base %s: URL %s, want %s", base, req.URL, want)
		}
	}
	if _, err := st.NewSharedRequest(context.Background(), "", nil, nil, ""); err == nil {
		t.Error("no error without a base URL")
	}
}

func TestNewSharedRequestConcurrent(t *testing.T) {
	st := mustParse(t, "      - {name: s, request: {method: POST, path: /todo, json: {a: 1}}}\n").Tasks[0].Steps[0]
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				req, err := st.NewSharedRequest(context.Background(), "http://127.0.0.1:8080", nil, nil, "ua")
				if err != nil {
					t.Error(err)
					return
				}
				if body := readBody(t, req); body != `{"a":1}` || req.Header.Get("User-Agent") != "ua" {
					t.Errorf("body %q, user agent %q", body, req.Header.Get("User-Agent"))
					return
				}
			}
		})
	}
	wg.Wait()
}
