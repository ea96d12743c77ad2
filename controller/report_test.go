package controller

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/controller/api"
)

func TestReport(t *testing.T) {
	e := newEnv(t, Options{StatsMaxAge: -1})
	if _, err := e.client.Report(e.ctx()); api.AsError(err).Status != http.StatusNotFound {
		t.Fatalf("report before any run: %v, want a 404", err)
	}
	info := e.startRun(api.RunRequest{Users: 2})
	for i := range 3 {
		e.clock.Advance(time.Second)
		e.beat(api.Heartbeat{ID: "w1", RunID: info.ID, Users: 2, Stats: snapshot(info.ID, 100*(i+1), i, 20*time.Millisecond)})
		e.c.sample()
	}
	page, err := e.client.Report(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, want := range []string{
		"<title>stampede report " + info.ID, "leeoniya/uPlot", `"rps":[`, "http_req_failed", "PASS",
		"<td>create</td><td>POST</td>", `id="endpoints"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, external := range []string{"src=\"http", "href=\"http", "@import"} {
		if strings.Contains(html, external) {
			t.Errorf("the report loads %q from elsewhere: it must open offline", external)
		}
	}
}
