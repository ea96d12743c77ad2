package demotarget

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestObservabilityGolden serves a fixed set of requests and compares
// /metrics and /stats with the files in testdata. Run with
// STAMPEDE_UPDATE_GOLDEN=1 to rewrite them.
func TestObservabilityGolden(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/todo", `{"Description": "a"}`},
		{"POST", "/todo", `{"Description": "b"}`},
		{"POST", "/todo", `{"Description": "c"}`},
		{"POST", "/todo", `{"Description": `},
		{"GET", "/todo/1", ""},
		{"GET", "/todo/9", ""},
		{"PUT", "/todo/2", `{"Completed": true}`},
		{"DELETE", "/todo/3", ""},
		{"GET", "/todo", ""},
		{"GET", "/hello", ""},
		{"PATCH", "/todo/1", ""},
		{"GET", "/healthz", ""},
	} {
		serveOne(s, req.method, req.path, req.body)
	}
	for _, golden := range []struct{ path, file, contentType string }{
		{"/metrics", "metrics.golden", "text/plain"},
		{"/stats", "stats.golden", "application/json"},
	} {
		w := serveOne(s, "GET", golden.path, "")
		mustStatus(t, w, http.StatusOK)
		if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, golden.contentType) {
			t.Errorf("%s: Content-Type %q, want %s", golden.path, got, golden.contentType)
		}
		compareGolden(t, filepath.Join("testdata", golden.file), w.Body.String())
	}
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	if os.Getenv("STAMPEDE_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", file, got, want)
	}
}

// TestOwnRegistry checks that a Server registers nothing in the default
// registry, so that two servers, or a server and a worker, can share a
// process.
func TestOwnRegistry(t *testing.T) {
	newTestServer(t, Options{})
	newTestServer(t, Options{})
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, family := range families {
		if strings.HasPrefix(family.GetName(), "demotarget_") {
			t.Errorf("%s is in the default registry", family.GetName())
		}
	}
}
