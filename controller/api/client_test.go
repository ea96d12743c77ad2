package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fakeController answers every request with status and body, and records
// the last request.
type fakeController struct {
	status int
	body   string
	last   chan *http.Request
}

func (f *fakeController) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case f.last <- r:
	default:
	}
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, f.body)
}

func newFake(t *testing.T, status int, body string, token string) (*Client, *fakeController) {
	t.Helper()
	f := &fakeController{status: status, body: body, last: make(chan *http.Request, 1)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL+"/", ClientOptions{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func TestClientErrors(t *testing.T) {
	tests := []struct {
		status          int
		body            string
		want            Error
		wantMessagePart string
	}{
		{409, `{"error": "run r1 is running", "field": ""}`, Error{Status: 409, Message: "run r1 is running"}, ""},
		{400, `{"error": "must be >= 0", "field": "users"}`, Error{Status: 400, Message: "must be >= 0", Field: "users"}, ""},
		{502, "Bad Gateway from the proxy", Error{Status: 502, Message: "Bad Gateway: Bad Gateway from the proxy"}, ""},
		{500, ``, Error{Status: 500, Message: "Internal Server Error:"}, ""},
	}
	for _, tt := range tests {
		c, _ := newFake(t, tt.status, tt.body, "")
		_, err := c.Status(t.Context())
		e, ok := err.(*Error)
		if !ok || *e != tt.want {
			t.Errorf("answer %d %q: got %#v, want %#v", tt.status, tt.body, err, tt.want)
		}
	}
}

func TestClientSendsTokenAndPaths(t *testing.T) {
	c, f := newFake(t, 204, ``, "s3cret")
	if err := c.Leave(t.Context(), "pod/with:odd chars"); err != nil {
		t.Fatal(err)
	}
	r := <-f.last
	if r.Method != "DELETE" || r.URL.EscapedPath() != "/api/v1/workers/pod%2Fwith:odd%20chars" || r.Header.Get("Authorization") != "Bearer s3cret" {
		t.Fatalf("request %s %s, Authorization %q", r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"))
	}
}

func TestClientCalls(t *testing.T) {
	info, _ := json.Marshal(RunInfo{ID: "r1", State: RunRunning})
	calls := []struct {
		method, path string
		call         func(*Client) error
	}{
		{"GET", PathStatus, func(c *Client) error { _, err := c.Status(t.Context()); return err }},
		{"POST", PathRuns, func(c *Client) error {
			_, err := c.StartRun(t.Context(), RunRequest{Scenario: "x", Users: 1})
			return err
		}},
		{"PATCH", PathRun, func(c *Client) error { n := 2; _, err := c.PatchRun(t.Context(), RunPatch{Users: &n}); return err }},
		{"POST", PathRunStop, func(c *Client) error { _, err := c.StopRun(t.Context()); return err }},
		{"GET", PathWorkers, func(c *Client) error { _, err := c.Workers(t.Context()); return err }},
		{"PUT", PathScale, func(c *Client) error { _, err := c.Scale(t.Context(), 3); return err }},
		{"POST", PathHeartbeat, func(c *Client) error {
			_, err := c.Heartbeat(t.Context(), Heartbeat{ID: "w", State: WorkerIdle})
			return err
		}},
	}
	for _, call := range calls {
		body := string(info)
		switch call.path {
		case PathWorkers:
			body = `[]`
		case PathScale:
			body = `{"live": 1, "desired": 3, "ready": 1}`
		case PathHeartbeat:
			body = `{"lease_ttl": "6s", "heartbeat_interval": "2s", "assignment": {"state": "idle", "generation": 1}}`
		}
		c, f := newFake(t, 200, body, "")
		if err := call.call(c); err != nil {
			t.Errorf("%s %s: %v", call.method, call.path, err)
			continue
		}
		if r := <-f.last; r.Method != call.method || r.URL.Path != call.path {
			t.Errorf("sent %s %s, want %s %s", r.Method, r.URL.Path, call.method, call.path)
		}
	}
	c, _ := newFake(t, 200, "endpoint,method\ntotal,\n", "")
	if csv, err := c.SummaryCSV(t.Context()); err != nil || string(csv) != "endpoint,method\ntotal,\n" {
		t.Fatalf("CSV %q, %v", csv, err)
	}
}

func TestNewClientRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8089", "ftp://x", "http://", "://"} {
		if _, err := NewClient(u, ClientOptions{}); err == nil {
			t.Errorf("NewClient(%q) took it", u)
		}
	}
}
