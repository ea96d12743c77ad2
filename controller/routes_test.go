package controller

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stampedehq/stampede/controller/api"
)

// rawResponse is an answer as it came.
type rawResponse struct {
	status int
	header http.Header
	body   string
	err    api.Error // decoded when the body is an error
}

// send sends a request as is.
func (e *env) send(method, path, body string, header map[string]string) rawResponse {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := rawResponse{status: resp.StatusCode, header: resp.Header, body: string(data)}
	_ = json.Unmarshal(data, &out.err)
	return out
}

// runBody is a run request body around testScenario with extra fields.
func runBody(extra string) string {
	scenario, _ := json.Marshal(testScenario)
	if extra != "" {
		extra = ", " + extra
	}
	return `{"scenario": ` + string(scenario) + extra + `}`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

const badScenario = `name: bad
base_url: http://127.0.0.1:8080
tasks:
  - name: crud
    steps:
      - name: a
        request: {method: GETT, path: /x}
`

func TestBadBodies(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string
		msg                      []string // the message contains each
	}{
		// POST /api/v1/runs
		{"run malformed", "POST", api.PathRuns, `{"scenario": `, 400, "", []string{"malformed JSON"}},
		{"run not an object", "POST", api.PathRuns, `[1, 2]`, 400, "", []string{"want a JSON object"}},
		{"run empty body", "POST", api.PathRuns, ``, 400, "", []string{"empty body"}},
		{"run trailing data", "POST", api.PathRuns, runBody(`"users": 1`) + `{}`, 400, "", []string{"after the JSON object"}},
		{"run unknown field", "POST", api.PathRuns, runBody(`"userz": 3`), 400, "userz", []string{"unknown field"}},
		{"run field twice", "POST", api.PathRuns, runBody(`"users": 3, "users": 4`), 400, "users", []string{"twice"}},
		{"run negative users", "POST", api.PathRuns, runBody(`"users": -1`), 400, "users", []string{"-1"}},
		{"run huge users", "POST", api.PathRuns, runBody(`"users": 100000000`), 400, "users", []string{"100000000"}},
		{"run users past int", "POST", api.PathRuns, runBody(`"users": 1e30`), 400, "users", []string{"integer"}},
		{"run users a string", "POST", api.PathRuns, runBody(`"users": "10"`), 400, "users", []string{"got string"}},
		{"run fractional users", "POST", api.PathRuns, runBody(`"users": 1.5`), 400, "users", nil},
		{"run negative rate", "POST", api.PathRuns, runBody(`"rate": -2`), 400, "rate", nil},
		{"run huge spawn rate", "POST", api.PathRuns, runBody(`"users": 1, "spawn_rate": 1e12`), 400, "spawn_rate", nil},
		{"run bad duration", "POST", api.PathRuns, runBody(`"users": 1, "duration": "forever"`), 400, "duration", []string{`"forever"`}},
		{"run duration a number", "POST", api.PathRuns, runBody(`"users": 1, "duration": 30`), 400, "duration", []string{"duration string"}},
		{"run negative duration", "POST", api.PathRuns, runBody(`"users": 1, "duration": "-5s"`), 400, "duration", nil},
		{"run missing scenario", "POST", api.PathRuns, `{"users": 3}`, 400, "scenario", []string{"missing"}},
		{"run bad scenario", "POST", api.PathRuns, `{"users": 3, "scenario": ` + jsonString(badScenario) + `}`, 400, "scenario",
			[]string{"line 7", "tasks[0].steps[0].request.method", "GETT"}},
		{"run scenario YAML syntax", "POST", api.PathRuns, `{"users": 3, "scenario": "tasks: [unclosed"}`, 400, "scenario", []string{"line"}},
		{"run users and rate", "POST", api.PathRuns, runBody(`"users": 3, "rate": 5`), 400, "rate", []string{"both"}},
		{"run open model with users", "POST", api.PathRuns, runBody(`"users": 3, "model": "open"`), 400, "users", nil},
		{"run bad model", "POST", api.PathRuns, runBody(`"users": 3, "model": "ajar"`), 400, "model", nil},
		{"run nothing to run", "POST", api.PathRuns, runBody(``), 400, "users", []string{"nothing to run"}},
		{"run bad target", "POST", api.PathRuns, runBody(`"users": 1, "target": "ftp://x"`), 400, "target", []string{"ftp://x"}},
		{"run no base URL", "POST", api.PathRuns, `{"users": 1, "scenario": "tasks: [{name: t, steps: [{name: s, request: {path: /}}]}]"}`, 400, "target", []string{"base URL"}},
		{"run bad stages string", "POST", api.PathRuns, runBody(`"stages": "30s:abc"`), 400, "stages", []string{"30s:abc"}},
		{"run stage zero duration", "POST", api.PathRuns, runBody(`"stages": [{"duration": "10s", "target": 5}, {"duration": "0s", "target": 1}]`), 400, "stages[1].duration", nil},
		{"run stage unknown field", "POST", api.PathRuns, runBody(`"stages": [{"duration": "10s", "users": 5}]`), 400, "stages[0].users", []string{"unknown field"}},
		{"run stage bad target", "POST", api.PathRuns, runBody(`"stages": [{"duration": "10s", "target": "x"}]`), 400, "stages[0].target", nil},
		{"run stages and users", "POST", api.PathRuns, runBody(`"users": 2, "stages": "10s:5"`), 400, "stages", nil},
		{"run threshold bad rate", "POST", api.PathRuns, runBody(`"users": 1, "thresholds": [{"metric": "http_req_failed", "max_rate": 2}]`), 400, "thresholds[0].max_rate", nil},
		{"run threshold unknown metric", "POST", api.PathRuns, runBody(`"users": 1, "thresholds": [{"metric": "rps"}]`), 400, "thresholds[0].metric", nil},
		{"run threshold unknown field", "POST", api.PathRuns, runBody(`"users": 1, "thresholds": [{"metric": "checks", "min_rate": 0.9, "bogus": 1}]`), 400, "thresholds[0].bogus", nil},
		{"run threshold bad max", "POST", api.PathRuns, runBody(`"users": 1, "thresholds": [{"metric": "http_req_duration", "p": 95, "max": "soon"}]`), 400, "thresholds[0].max", nil},
		{"run bad id", "POST", api.PathRuns, runBody(`"users": 1, "id": "a b"`), 400, "id", nil},

		// PATCH /api/v1/runs/current
		{"patch malformed", "PATCH", api.PathRun, `{users: 3}`, 400, "", []string{"malformed JSON"}},
		{"patch unknown field", "PATCH", api.PathRun, `{"replicas": 3}`, 400, "replicas", []string{"unknown field"}},
		{"patch nothing", "PATCH", api.PathRun, `{}`, 400, "", []string{"nothing to change"}},
		{"patch negative users", "PATCH", api.PathRun, `{"users": -4}`, 400, "users", nil},
		{"patch users and rate", "PATCH", api.PathRun, `{"users": 4, "rate": 3}`, 400, "rate", nil},
		{"patch no run", "PATCH", api.PathRun, `{"users": 4}`, 409, "", []string{"no run"}},

		// PUT /api/v1/workers/scale
		{"scale missing replicas", "PUT", api.PathScale, `{}`, 400, "replicas", []string{"missing"}},
		{"scale negative", "PUT", api.PathScale, `{"replicas": -1}`, 400, "replicas", nil},
		{"scale huge", "PUT", api.PathScale, `{"replicas": 1000000}`, 400, "replicas", nil},
		{"scale a string", "PUT", api.PathScale, `{"replicas": "3"}`, 400, "replicas", nil},
		{"scale unknown field", "PUT", api.PathScale, `{"replicas": 3, "force": true}`, 400, "force", nil},
		{"scale with scaling off", "PUT", api.PathScale, `{"replicas": 3}`, 409, "replicas", []string{"scaling is off"}},

		// POST /api/v1/workers/heartbeat
		{"heartbeat malformed", "POST", api.PathHeartbeat, `{"id": "w1",`, 400, "", []string{"malformed JSON"}},
		{"heartbeat unknown field", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "pod": "x"}`, 400, "pod", []string{"unknown field"}},
		{"heartbeat missing id", "POST", api.PathHeartbeat, `{"state": "idle"}`, 400, "id", []string{"missing"}},
		{"heartbeat bad id", "POST", api.PathHeartbeat, `{"id": "w 1", "state": "idle"}`, 400, "id", nil},
		{"heartbeat bad state", "POST", api.PathHeartbeat, `{"id": "w1", "state": "sleeping"}`, 400, "state", []string{"sleeping"}},
		{"heartbeat negative users", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "users": -3}`, 400, "users", nil},
		{"heartbeat users a string", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "users": "3"}`, 400, "users", nil},
		{"heartbeat stats not an object", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "stats": [1]}`, 400, "stats", nil},
		{"heartbeat bad metrics addr", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "metrics_addr": "nowhere"}`, 400, "metrics_addr", nil},
		{"heartbeat trailing data", "POST", api.PathHeartbeat, `{"id": "w1", "state": "idle"} x`, 400, "", nil},
		{"heartbeat empty", "POST", api.PathHeartbeat, ``, 400, "", []string{"empty body"}},

		// DELETE /api/v1/workers/{id}
		{"leave bad id", "DELETE", api.PathWorkers + "/w%201", ``, 400, "id", nil},

		// GET /api/v1/runs/current/summary
		{"summary bad format", "GET", api.PathSummary + "?format=xml", ``, 400, "format", nil},
		{"summary before any run", "GET", api.PathSummary, ``, 404, "", []string{"no run"}},
		{"stop before any run", "POST", api.PathRunStop, ``, 409, "", []string{"no run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.send(tt.method, tt.path, tt.body, map[string]string{"Content-Type": "application/json"})
			if got.status != tt.status || got.err.Field != tt.field {
				t.Fatalf("%s %s %s\n got %d field %q: %s\nwant %d field %q", tt.method, tt.path, tt.body, got.status, got.err.Field, got.body, tt.status, tt.field)
			}
			if got.err.Message == "" {
				t.Fatalf("no error message in %s", got.body)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, m := range tt.msg {
				if !strings.Contains(got.err.Message, m) {
					t.Errorf("message %q does not contain %q", got.err.Message, m)
				}
			}
		})
	}
}

func TestOversizedBodies(t *testing.T) {
	e := newEnv(t, Options{MaxBodyBytes: 1 << 10, MaxHeartbeatBytes: 4 << 10})
	big := strings.Repeat("x", 8<<10)
	tests := []struct{ method, path, body string }{
		{"POST", api.PathRuns, runBody(`"target": "` + big + `"`)},
		{"PATCH", api.PathRun, `{"users": 1` + strings.Repeat(" ", 2<<10) + `}`},
		{"PUT", api.PathScale, `{"replicas": ` + strings.Repeat("1", 2<<10) + `}`},
		{"POST", api.PathHeartbeat, `{"id": "w1", "state": "idle", "version": "` + big + `"}`},
		{"POST", api.PathHeartbeat, `{"id": "w1", "state": "idle"}` + strings.Repeat(" ", 8<<10)},
	}
	for _, tt := range tests {
		got := e.send(tt.method, tt.path, tt.body, nil)
		if got.status != http.StatusRequestEntityTooLarge || !strings.Contains(got.err.Message, "larger than") {
			t.Errorf("%s %s with %d bytes: got %d %s, want 413", tt.method, tt.path, len(tt.body), got.status, got.body)
		}
	}
}

func TestWrongMethodsAndPaths(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", api.PathRuns, 405, "POST"},
		{"DELETE", api.PathStatus, 405, "GET"},
		{"POST", api.PathSD, 405, "GET"},
		{"GET", api.PathHeartbeat, 405, "POST"},
		{"PUT", api.PathRun, 405, "PATCH"},
		{"GET", api.PathRunStop, 405, "POST"},
		{"POST", api.PathWorkers, 405, "GET"},
		{"GET", api.PathScale, 405, "PUT"},
		{"POST", "/metrics", 405, "GET"},
		{"GET", "/api/v1/nothing", 404, ""},
		{"GET", "/api/v2/status", 404, ""},
	}
	for _, tt := range tests {
		got := e.send(tt.method, tt.path, "", nil)
		if got.status != tt.status || got.err.Message == "" {
			t.Errorf("%s %s: got %d %s, want %d with a JSON error", tt.method, tt.path, got.status, got.body, tt.status)
			continue
		}
		// DELETE /api/v1/workers/{id} takes any id, "scale" and "heartbeat" too.
		if tt.allow != "" && !slices.Contains(strings.Split(got.header.Get("Allow"), ", "), tt.allow) {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got.header.Get("Allow"), tt.allow)
		}
	}
}

func TestToken(t *testing.T) {
	e := newEnv(t, Options{Token: "s3cret"})
	mutating := []struct{ method, path string }{
		{"POST", api.PathRuns},
		{"PATCH", api.PathRun},
		{"POST", api.PathRunStop},
		{"PUT", api.PathScale},
		{"POST", api.PathHeartbeat},
		{"DELETE", api.PathWorkers + "/w1"},
	}
	for _, tt := range mutating {
		for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "} {
			got := e.send(tt.method, tt.path, "{}", map[string]string{"Authorization": auth})
			if got.status != http.StatusUnauthorized || strings.TrimSpace(got.body) != `{"error":"unauthorized"}` {
				t.Errorf("%s %s with %q: got %d %s, want 401 {\"error\":\"unauthorized\"}", tt.method, tt.path, auth, got.status, got.body)
			}
		}
		// With the token, the request gets past the check (to whatever the body earns).
		got := e.send(tt.method, tt.path, "{}", map[string]string{"Authorization": "Bearer s3cret"})
		if got.status == http.StatusUnauthorized {
			t.Errorf("%s %s with the token: 401", tt.method, tt.path)
		}
	}
	for _, path := range []string{api.PathStatus, api.PathWorkers, api.PathSD, "/metrics", "/healthz", "/readyz", pathControlJS} {
		if got := e.send("GET", path, "", nil); got.status != http.StatusOK {
			t.Errorf("GET %s without a token: %d, want 200", path, got.status)
		}
	}
	// The control page asks for the token first.
	if got := e.send("GET", "/", "", nil); got.status != http.StatusUnauthorized || !strings.Contains(got.body, `name="token"`) {
		t.Errorf("GET / without a session: %d, want 401 and the login form", got.status)
	}
	// The client sends the token.
	e.startRun(api.RunRequest{Users: 2})
}
