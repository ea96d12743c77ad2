package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator/scenario"
)

func TestScenariosParse(t *testing.T) {
	for name, body := range map[string]string{"hello": helloScenario, "crud": crudScenario, "idle": idleScenario} {
		if _, err := scenario.Parse(name+".yaml", []byte(body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRenderScripts(t *testing.T) {
	p := scriptParams{Target: "http://127.0.0.1:8080", Users: 50, Duration: 90 * time.Second, Rate: 1000, InFlight: 1500, SummaryPath: "/tmp/x/summary.json"}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"raw.js", k6Raw, []string{"vus: 50,", `duration: "1m30s",`, `http.get("http://127.0.0.1:8080" + '/hello')`, `"p(99)"`[1:6], `{ ["/tmp/x/summary.json"]: JSON.stringify(data) }`}},
		{"crud.js", k6Crud, []string{"vus: 50,", "created.json('Id')", "http.del(", "'/todo/[id]'"}},
		{"open.js", k6Open, []string{"executor: 'constant-arrival-rate'", "rate: 1000,", "preAllocatedVUs: 1500,", "maxVUs: 1500,"}},
		{"idle.js", k6Idle, []string{"vus: 50,", "sleep(1);"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderScript(tt.name, tt.text, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("script lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// With k6 installed, the generated scripts must also pass `k6 inspect`.
func TestScriptsInspect(t *testing.T) {
	k6, ok := findBinary("k6")
	if !ok || testing.Short() {
		t.Skip("k6 not installed (or -short)")
	}
	dir := t.TempDir()
	p := scriptParams{Target: "http://127.0.0.1:9", Users: 2, Duration: time.Second, Rate: 10, InFlight: 5, SummaryPath: dir + "/s.json"}
	for name, text := range map[string]string{"raw.js": k6Raw, "crud.js": k6Crud, "open.js": k6Open, "idle.js": k6Idle} {
		path, err := writeScript(dir, name, text, p)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(t.Context(), k6, "inspect", path).CombinedOutput(); err != nil {
			t.Errorf("k6 inspect %s: %v\n%s", name, err, out)
		}
	}
}
