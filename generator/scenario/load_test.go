package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadExample(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "todo-crud.yaml")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "todo-crud" || s.BaseURL != "http://127.0.0.1:8080" || s.Source != path {
		t.Errorf("name %q base %q source %q", s.Name, s.BaseURL, s.Source)
	}
	if want := (ThinkTime{Kind: ThinkBetween, Min: 2 * time.Second, Max: 5 * time.Second}); s.ThinkTime != want {
		t.Errorf("think time %+v, want %+v", s.ThinkTime, want)
	}
	wantEndpoints := []Endpoint{{"create", "POST"}, {"/todo/[id]", "GET"}, {"/todo/[id]", "PUT"}, {"/todo/[id]", "DELETE"}}
	if got := s.Endpoints(); !reflect.DeepEqual(got, wantEndpoints) {
		t.Errorf("Endpoints() = %v, want %v", got, wantEndpoints)
	}
	var statuses []string
	for _, st := range s.Tasks[0].Steps {
		statuses = append(statuses, strings.Join(st.CheckNames(), "+"))
		if !st.ExpectsStatus() {
			t.Errorf("step %s %s has no status check", st.Method, st.Name)
		}
	}
	if want := "status+json:Id status status+json:Completed status"; strings.Join(statuses, " ") != want {
		t.Errorf("checks %q, want %q", strings.Join(statuses, " "), want)
	}
	var th []string
	for _, x := range s.Thresholds {
		th = append(th, x.String())
	}
	if want := "http_req_failed rate < 0.1%; http_req_duration p95 < 500ms"; strings.Join(th, "; ") != want {
		t.Errorf("thresholds %q, want %q", strings.Join(th, "; "), want)
	}
}

func TestParseFull(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "valid", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("full.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if s.Hash != hex.EncodeToString(sum[:]) || len(s.Hash) != 64 {
		t.Errorf("hash %q", s.Hash)
	}
	if s.BaseURL != "http://127.0.0.1:8080/api" {
		t.Errorf("base URL %q: the trailing slash should be dropped", s.BaseURL)
	}
	if len(s.Tasks) != 2 {
		t.Fatalf("%d tasks", len(s.Tasks))
	}
	login, crud := s.Tasks[0], s.Tasks[1]
	if login.Name != "login" || login.Weight != 1 || crud.Weight != 3 {
		t.Errorf("tasks %q/%d %q/%d", login.Name, login.Weight, crud.Name, crud.Weight)
	}
	if login.ThinkTime != (ThinkTime{Kind: ThinkPacing, Min: 10 * time.Second}) || !crud.ThinkTime.IsZero() {
		t.Errorf("task think times %v %v", login.ThinkTime, crud.ThinkTime)
	}
	st := login.Steps[0]
	if st.Method != "POST" || !st.req.absolute {
		t.Errorf("login step: method %q absolute %v", st.Method, st.req.absolute)
	}
	if got := st.CheckNames(); !reflect.DeepEqual(got, []string{"status", "body_contains"}) {
		t.Errorf("login checks %v", got)
	}
	if !st.NeedsBody() {
		t.Error("login extracts with a regex and checks the body: NeedsBody should be true")
	}
	var vars []string
	for _, e := range st.extractors {
		vars = append(vars, e.variable)
	}
	if strings.Join(vars, ",") != "csrf,token,user" {
		t.Errorf("extractors %v, want them sorted by variable", vars)
	}
	create := crud.Steps[0]
	if got := create.CheckNames(); !reflect.DeepEqual(got, []string{"status", "json:Completed", "json:Error", "json:Id"}) {
		t.Errorf("create checks %v", got)
	}
	read := crud.Steps[1]
	if got := read.CheckNames(); !reflect.DeepEqual(got, []string{"status"}) || read.NeedsBody() {
		t.Errorf("merged step: checks %v, needs body %v", got, read.NeedsBody())
	}
	if read.ThinkTime != (ThinkTime{Kind: ThinkConstant}) || read.ThinkTime.IsZero() {
		t.Errorf("merged think time %+v: constant 0s must be set, not inherited", read.ThinkTime)
	}
	del := crud.Steps[2]
	if del.ExpectsStatus() || len(del.CheckNames()) != 0 || del.NeedsBody() {
		t.Errorf("delete step should have no checks")
	}
	want := []Threshold{
		{Metric: "http_req_failed", MaxRate: 0.01, Line: 59},
		{Metric: "http_req_duration", Endpoint: "create", P: 99.9, Max: 300 * time.Millisecond, Line: 60},
		{Metric: "checks", MinRate: 0.99, Line: 61},
	}
	if !reflect.DeepEqual(s.Thresholds, want) {
		t.Errorf("thresholds\n%#v\nwant\n%#v", s.Thresholds, want)
	}
	wantStages := []Stage{{30 * time.Second, 100}, {time.Minute, 2.5}, {30 * time.Second, 0}}
	if !reflect.DeepEqual(s.Stages, wantStages) {
		t.Errorf("stages %v, want %v", s.Stages, wantStages)
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := Parse("dir/my-test.yml", []byte("tasks:\n  - steps:\n      - {name: s, request: {path: /}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "my-test" || s.BaseURL != "" || !s.ThinkTime.IsZero() || s.Thresholds != nil || s.Stages != nil {
		t.Errorf("defaults: %+v", s)
	}
	task := s.Tasks[0]
	if task.Name != "task1" || task.Weight != 1 || task.Steps[0].Method != "GET" {
		t.Errorf("task defaults: %+v, method %q", task, task.Steps[0].Method)
	}
	inline, err := Parse("", []byte("tasks: [{steps: [{name: s, request: {path: /}}]}]"))
	if err != nil || inline.Name != "scenario" {
		t.Errorf("inline name %q, err %v", inline.Name, err)
	}
}

func TestParseAcceptsTrailingEmptyDocument(t *testing.T) {
	if _, err := Parse("x.yaml", []byte("tasks: [{steps: [{name: s, request: {path: /}}]}]\n---\n")); err != nil {
		t.Error(err)
	}
}

func TestThinkTimeInheritance(t *testing.T) {
	constant := func(d time.Duration) ThinkTime { return ThinkTime{Kind: ThinkConstant, Min: d} }
	s := &Scenario{ThinkTime: constant(3 * time.Second)}
	plain := &Task{}
	paced := &Task{ThinkTime: ThinkTime{Kind: ThinkPacing, Min: 10 * time.Second}}
	own := &Step{ThinkTime: constant(time.Second)}
	inherit := &Step{}
	cases := []struct {
		name string
		got  ThinkTime
		want ThinkTime
	}{
		{"step wins", s.StepThinkTime(paced, own), constant(time.Second)},
		{"task next", s.StepThinkTime(paced, inherit), paced.ThinkTime},
		{"scenario last", s.StepThinkTime(plain, inherit), constant(3 * time.Second)},
		{"task level", s.TaskThinkTime(paced), paced.ThinkTime},
		{"task from scenario", s.TaskThinkTime(plain), constant(3 * time.Second)},
		{"nil task and step", s.StepThinkTime(nil, nil), constant(3 * time.Second)},
		{"nothing set", (&Scenario{}).StepThinkTime(plain, inherit), ThinkTime{}},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestWithTarget(t *testing.T) {
	cases := []struct {
		target string
		want   string // "" means an error naming the target
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://example.test/api/", "https://example.test/api"},
		{"HTTP://127.0.0.1", "HTTP://127.0.0.1"},
		{"127.0.0.1:8080", ""},
		{"ftp://127.0.0.1", ""},
		{"http://", ""},
		{"http://127.0.0.1/?x=1", ""},
		{"http://127.0.0.1/#f", ""},
		{"", ""},
	}
	for _, tc := range cases {
		s := &Scenario{BaseURL: "http://old"}
		err := s.WithTarget(tc.target)
		switch {
		case tc.want == "" && (err == nil || !strings.Contains(err.Error(), `"`+tc.target+`"`)):
			t.Errorf("WithTarget(%q) = %v, want an error naming it", tc.target, err)
		case tc.want != "" && (err != nil || s.BaseURL != tc.want):
			t.Errorf("WithTarget(%q): BaseURL %q err %v, want %q", tc.target, s.BaseURL, err, tc.want)
		}
	}
}

func TestPickTaskFollowsWeights(t *testing.T) {
	s := &Scenario{Tasks: []*Task{{Name: "a", Weight: 1}, {Name: "b", Weight: 3}, {Name: "zero", Weight: 0}}}
	rng := newRand(1)
	counts := map[string]int{}
	const n = 50000
	for range n {
		counts[s.PickTask(rng).Name]++
	}
	// Weight 0 (only possible for a Scenario built in Go) counts as 1: 1:3:1.
	for name, want := range map[string]float64{"a": 0.2, "b": 0.6, "zero": 0.2} {
		if got := float64(counts[name]) / n; got < want-0.02 || got > want+0.02 {
			t.Errorf("task %s picked %.3f of the time, want %.2f", name, got, want)
		}
	}
	if (&Scenario{}).PickTask(rng) != nil {
		t.Error("PickTask with no tasks should return nil")
	}
	if s.PickTask(nil) == nil {
		t.Error("PickTask(nil) should use the global source")
	}
}

func TestEndpointsDeduplicates(t *testing.T) {
	s, err := Parse("e.yaml", []byte(`
tasks:
  - name: a
    steps:
      - {name: x, request: {path: /}}
      - {name: x, request: {path: /, method: post}}
  - name: b
    steps:
      - {name: x, request: {path: /}}
      - {name: y, request: {path: /}}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Endpoint{{"x", "GET"}, {"x", "POST"}, {"y", "GET"}}
	if got := s.Endpoints(); !reflect.DeepEqual(got, want) {
		t.Errorf("Endpoints() = %v, want %v", got, want)
	}
}

func TestExtensionFieldsOnlyAtTopLevel(t *testing.T) {
	_, err := Parse("x.yaml", []byte("x-a: 1\ntasks: [{x-b: 1, steps: [{name: s, request: {path: /}}]}]\n"))
	if err == nil || !strings.Contains(err.Error(), "tasks[0].x-b: unknown field") || strings.Contains(err.Error(), "x-a") {
		t.Errorf("err = %v, want only x-b rejected", err)
	}
}

func TestCheckNamesIsACopy(t *testing.T) {
	s, err := Load(filepath.Join("..", "..", "examples", "todo-crud.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st := s.Tasks[0].Steps[0]
	st.CheckNames()[0] = "changed"
	if st.CheckNames()[0] != "status" {
		t.Error("CheckNames must not expose the step's own slice")
	}
}

func TestQuotedNumbersAreAccepted(t *testing.T) {
	s, err := Parse("q.yaml", []byte(`tasks:
  - {name: a, weight: "2", steps: [{name: s, request: {path: /}, check: {status: "200"}}]}
thresholds:
  - {metric: http_req_failed, max_rate: "0.01"}
stages:
  - {duration: 1s, target: "5"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Tasks[0].Weight != 2 || s.Tasks[0].Steps[0].checks.status[0] != 200 || s.Thresholds[0].MaxRate != 0.01 || s.Stages[0].Target != 5 {
		t.Errorf("quoted numbers: %+v %+v %+v", s.Tasks[0], s.Thresholds, s.Stages)
	}
	_, err = Parse("q.yaml", []byte(`tasks: [{name: a, weight: "two", steps: [{name: s, request: {path: /}}]}]`))
	if err == nil || !strings.Contains(err.Error(), `q.yaml:1: tasks[0].weight: "two" is not an integer`) {
		t.Errorf("err = %v", err)
	}
}
