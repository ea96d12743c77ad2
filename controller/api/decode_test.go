package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantError asserts that err is an *Error with status and field.
func wantError(t *testing.T, err error, status int, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status != status || e.Field != field || e.Message == "" {
		t.Fatalf("got %v (%#v), want an *Error %d about %q", err, e, status, field)
	}
}

func TestDecodeRunRequest(t *testing.T) {
	req, err := DecodeRunRequest(bytes.NewReader(readTestdata(t, "run_request.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := Stages{
		{Duration: Duration(30 * time.Second), Target: 100},
		{Duration: Duration(time.Minute), Target: 100},
		{Duration: Duration(30 * time.Second), Target: 0},
	}
	if !reflect.DeepEqual(req.Stages, want) || req.ID != "nightly-42" || req.Duration.Std() != 5*time.Minute ||
		req.SpawnRate != 10 || req.Model != ModelClosed || len(req.Thresholds) != 3 || req.Thresholds[1].Max.Std() != 300*time.Millisecond {
		t.Fatalf("decoded %+v", req)
	}
	// The array form of the stages, and a round trip through JSON.
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"stages":[{"duration":"30s","target":100}`) {
		t.Fatalf("stages are written as %s", data)
	}
	again, err := DecodeRunRequest(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	if !reflect.DeepEqual(again, req) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", again, req)
	}
}

func TestDecodeRunRequestErrors(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"malformed", `{"scenario": "x",`, ""},
		{"array", `[]`, ""},
		{"null", `null`, ""},
		{"trailing", `{"scenario": "x", "users": 1} {}`, ""},
		{"unknown", `{"scenario": "x", "users": 1, "vus": 2}`, "vus"},
		{"twice", `{"scenario": "x", "scenario": "y"}`, "scenario"},
		{"missing scenario", `{"users": 1}`, "scenario"},
		{"scenario a number", `{"scenario": 3}`, "scenario"},
		{"negative users", `{"scenario": "x", "users": -1}`, "users"},
		{"huge users", `{"scenario": "x", "users": 10000001}`, "users"},
		{"users and rate", `{"scenario": "x", "users": 1, "rate": 1}`, "rate"},
		{"negative max in flight", `{"scenario": "x", "rate": 1, "max_in_flight": -1}`, "max_in_flight"},
		{"bad duration", `{"scenario": "x", "users": 1, "duration": "1 minute"}`, "duration"},
		{"duration too long", `{"scenario": "x", "users": 1, "duration": "10000h"}`, "duration"},
		{"stages a number", `{"scenario": "x", "stages": 5}`, "stages"},
		{"stages string", `{"scenario": "x", "stages": "30s"}`, "stages"},
		{"stage negative target", `{"scenario": "x", "stages": [{"duration": "1s", "target": -1}]}`, "stages[0].target"},
		{"stage not an object", `{"scenario": "x", "stages": [{"duration": "1s", "target": 1}, 3]}`, "stages[1]"},
		{"stage missing duration", `{"scenario": "x", "stages": [{"target": 1}]}`, "stages[0].duration"},
		{"thresholds an object", `{"scenario": "x", "users": 1, "thresholds": {}}`, "thresholds"},
		{"threshold p out of range", `{"scenario": "x", "users": 1, "thresholds": [{"metric": "http_req_duration", "p": 101, "max": "1s"}]}`, "thresholds[0].p"},
		{"threshold missing max", `{"scenario": "x", "users": 1, "thresholds": [{"metric": "http_req_duration", "p": 95}]}`, "thresholds[0].max"},
		{"threshold field of another metric", `{"scenario": "x", "users": 1, "thresholds": [{"metric": "checks", "min_rate": 0.5, "max_rate": 0.1}]}`, "thresholds[0].max_rate"},
		{"bad id", `{"scenario": "x", "users": 1, "id": "-x"}`, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRunRequest(strings.NewReader(tt.body))
			wantError(t, err, http.StatusBadRequest, tt.field)
		})
	}
}

func TestDecodeRunPatch(t *testing.T) {
	p, err := DecodeRunPatch(bytes.NewReader(readTestdata(t, "run_patch.json")))
	if err != nil || p.Users == nil || *p.Users != 250 || p.SpawnRate == nil || *p.SpawnRate != 25 || p.Rate != nil {
		t.Fatalf("decoded %+v, %v", p, err)
	}
	for body, field := range map[string]string{
		`{}`:                         "",
		`{"users": null}`:            "",
		`{"users": -1}`:              "users",
		`{"rate": "fast"}`:           "rate",
		`{"spawn_rate": -0.5}`:       "spawn_rate",
		`{"users": 1, "rate": 1}`:    "rate",
		`{"users": 1, "stages": ""}`: "stages",
	} {
		_, err := DecodeRunPatch(strings.NewReader(body))
		wantError(t, err, http.StatusBadRequest, field)
	}
}

func TestDecodeScale(t *testing.T) {
	s, err := DecodeScale(bytes.NewReader(readTestdata(t, "scale.json")))
	if err != nil || s.Replicas != 3 {
		t.Fatalf("decoded %+v, %v", s, err)
	}
	if s, err := DecodeScale(strings.NewReader(`{"replicas": 0}`)); err != nil || s.Replicas != 0 {
		t.Fatalf("zero replicas: %+v, %v", s, err)
	}
	for body, field := range map[string]string{
		`{}`:                  "replicas",
		`{"replicas": null}`:  "replicas",
		`{"replicas": -2}`:    "replicas",
		`{"replicas": 2.5}`:   "replicas",
		`{"replicas": 10001}`: "replicas",
		`{"replica": 2}`:      "replica",
		`{"replicas": 2}]`:    "",
	} {
		_, err := DecodeScale(strings.NewReader(body))
		wantError(t, err, http.StatusBadRequest, field)
	}
}

func TestDecodeHeartbeat(t *testing.T) {
	data := readTestdata(t, "heartbeat.json")
	hb, err := DecodeHeartbeat(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if hb.ID != "stampede-worker-7d9f-x2k4" || hb.Generation != 7 || hb.State != WorkerRunning || hb.Users != 34 ||
		hb.Stats == nil || len(hb.Stats.Endpoints) != 1 || hb.Stats.Endpoints[0].Requests != 120 {
		t.Fatalf("decoded %+v", hb)
	}
	raw, stats, err := DecodeHeartbeatRawStats(bytes.NewReader(data))
	if err != nil || raw.Stats != nil || !bytes.HasPrefix(stats, []byte(`{`)) || !bytes.Contains(stats, []byte(`"requests": 120`)) {
		t.Fatalf("raw stats %q, heartbeat stats %v, %v", stats, raw.Stats, err)
	}
	raw.Stats = hb.Stats
	if !reflect.DeepEqual(raw, hb) {
		t.Fatalf("the two decoders differ:\n%+v\n%+v", raw, hb)
	}
	if _, stats, err := DecodeHeartbeatRawStats(strings.NewReader(`{"id": "w", "state": "idle", "stats": null}`)); err != nil || stats != nil {
		t.Fatalf("null stats: %q, %v", stats, err)
	}
}

func TestDecodeHeartbeatErrors(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{"id": "w1", "state": "idle"`, ""},
		{`{"id": "w1", "state": "idle", "extra": 1}`, "extra"},
		{`{"id": "", "state": "idle"}`, "id"},
		{`{"id": "w/1", "state": "idle"}`, "id"},
		{`{"id": "` + strings.Repeat("w", 254) + `", "state": "idle"}`, "id"},
		{`{"id": "w1"}`, "state"},
		{`{"id": "w1", "state": "idle", "generation": -1}`, "generation"},
		{`{"id": "w1", "state": "idle", "generation": "7"}`, "generation"},
		{`{"id": "w1", "state": "idle", "cpu": -0.1}`, "cpu"},
		{`{"id": "w1", "state": "idle", "rate": -1}`, "rate"},
		{`{"id": "w1", "state": "idle", "metrics_addr": "10.0.0.1"}`, "metrics_addr"},
		{`{"id": "w1", "state": "idle", "metrics_addr": "10.0.0.1:http"}`, "metrics_addr"},
		{`{"id": "w1", "state": "idle", "version": "` + strings.Repeat("v", 129) + `"}`, "version"},
		{`{"id": "w1", "state": "idle", "stats": "x"}`, "stats"},
		{`{"id": "w1", "state": "idle"} {"id": "w2"}`, ""},
		{`"w1"`, ""},
	}
	for _, tt := range tests {
		_, err := DecodeHeartbeat(strings.NewReader(tt.body))
		wantError(t, err, http.StatusBadRequest, tt.field)
	}
	// Stats that do not decode fail the full decoder, naming the field.
	_, err := DecodeHeartbeat(strings.NewReader(`{"id": "w1", "state": "idle", "stats": {"endpoints": 3}}`))
	wantError(t, err, http.StatusBadRequest, "stats.endpoints")
}

func TestBodyLimitIs413(t *testing.T) {
	big := `{"scenario": "` + strings.Repeat("x", 2048) + `", "users": 1}`
	decoders := map[string]func(*http.Request) error{
		"run":       func(r *http.Request) error { _, err := DecodeRunRequest(r.Body); return err },
		"patch":     func(r *http.Request) error { _, err := DecodeRunPatch(r.Body); return err },
		"scale":     func(r *http.Request) error { _, err := DecodeScale(r.Body); return err },
		"heartbeat": func(r *http.Request) error { _, err := DecodeHeartbeat(r.Body); return err },
	}
	for name, decode := range decoders {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(big))
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1024)
			wantError(t, decode(r), http.StatusRequestEntityTooLarge, "")
		})
	}
}

func TestDurationJSON(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 90 * time.Second, -time.Second} {
		data, err := json.Marshal(Duration(d))
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := json.Unmarshal(data, &back); err != nil || back.Std() != d {
			t.Fatalf("%s -> %s -> %s, %v", d, data, back, err)
		}
	}
	for _, bad := range []string{`5`, `"5"`, `"1 minute"`, `{}`} {
		var d Duration
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s decoded as %s", bad, d)
		}
	}
}

func TestErrorText(t *testing.T) {
	if got := (&Error{Status: 400, Field: "users", Message: "-1: must be >= 0"}).Error(); got != "users: -1: must be >= 0" {
		t.Errorf("got %q", got)
	}
	if got := (&Error{Status: 401, Message: "unauthorized"}).Error(); got != "unauthorized" {
		t.Errorf("got %q", got)
	}
	if e := AsError(errors.New("boom")); e.Status != 500 || e.Message != "boom" {
		t.Errorf("AsError: %+v", e)
	}
}
