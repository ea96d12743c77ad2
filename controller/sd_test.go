package controller

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stampedehq/stampede/controller/api"
)

// httpSDGroup is Prometheus's http_sd_config format, read strictly.
type httpSDGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

func TestServiceDiscoveryIsHTTPSD(t *testing.T) {
	e := newEnv(t, Options{})
	if got := e.send("GET", api.PathSD, "", nil); got.status != 200 || string(bytes.TrimSpace([]byte(got.body))) != "[]" {
		t.Fatalf("no workers: %d %s, want []", got.status, got.body)
	}
	info := e.startRun(api.RunRequest{Users: 2})
	e.beat(api.Heartbeat{ID: "w2", MetricsAddr: "127.0.0.1:9465", RunID: info.ID})
	e.beat(api.Heartbeat{ID: "w1", MetricsAddr: "127.0.0.1:9464", RunID: info.ID})
	e.beat(api.Heartbeat{ID: "w3"}) // no metrics address: nothing to scrape

	got := e.send("GET", api.PathSD, "", nil)
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(got.body)))
	dec.DisallowUnknownFields()
	var groups []httpSDGroup
	if err := dec.Decode(&groups); err != nil {
		t.Fatalf("%v in %s", err, got.body)
	}
	want := []httpSDGroup{
		{Targets: []string{"127.0.0.1:9464"}, Labels: map[string]string{"worker": "w1", "run_id": info.ID}},
		{Targets: []string{"127.0.0.1:9465"}, Labels: map[string]string{"worker": "w2", "run_id": info.ID}},
	}
	if len(groups) != len(want) {
		t.Fatalf("groups %+v, want %+v", groups, want)
	}
	for i := range want {
		if groups[i].Targets[0] != want[i].Targets[0] || len(groups[i].Targets) != 1 ||
			groups[i].Labels["worker"] != want[i].Labels["worker"] || groups[i].Labels["run_id"] != want[i].Labels["run_id"] || len(groups[i].Labels) != 2 {
			t.Errorf("group %d: %+v, want %+v", i, groups[i], want[i])
		}
	}
}
