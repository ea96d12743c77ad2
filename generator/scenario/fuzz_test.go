package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that every problem is a
// *FieldError naming the file, and that what parses can render requests
// (with valid JSON bodies) and evaluate responses without panicking.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, filepath.Join("..", "..", "examples", "todo-crud.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			checkFieldErrors(t, err)
			return
		}
		if len(s.Tasks) == 0 || len(s.Hash) != 64 {
			t.Fatalf("parsed without tasks or hash: %+v", s)
		}
		exerciseScenario(t, s)
	})
}

func checkFieldErrors(t *testing.T, err error) {
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var fe *FieldError
		if !errors.As(e, &fe) || fe.File != "fuzz.yaml" || fe.Msg == "" {
			t.Fatalf("problem %v (%T) is not a *FieldError of fuzz.yaml", e, e)
		}
	}
}

func exerciseScenario(t *testing.T, s *Scenario) {
	vars := Vars{}
	for _, task := range s.Tasks {
		if len(task.Steps) == 0 || task.Weight < 1 {
			t.Fatalf("task %q: %d steps, weight %d", task.Name, len(task.Steps), task.Weight)
		}
		for _, st := range task.Steps {
			for _, e := range st.extractors {
				vars[e.variable] = "1"
			}
		}
	}
	if s.PickTask(newRand(1)) == nil {
		t.Fatal("PickTask returned nil")
	}
	resp := &Response{Status: 200, Header: http.Header{"X-Token": {"t"}}, Body: []byte(`{"Id": 1, "a": [1, {"b": "c"}]}`)}
	for _, task := range s.Tasks {
		for _, st := range task.Steps {
			req, err := st.NewRequest(context.Background(), "http://127.0.0.1:1", vars, newRand(2))
			if err == nil && st.req.json != nil {
				body, _ := io.ReadAll(req.Body)
				if !json.Valid(body) {
					t.Fatalf("step %q rendered invalid JSON: %s", st.Name, body)
				}
			}
			results, _ := st.Evaluate(resp, Vars{}, nil)
			if len(results) != len(st.CheckNames()) {
				t.Fatalf("step %q: %d results for %d checks", st.Name, len(results), len(st.CheckNames()))
			}
		}
	}
}

// FuzzParseStages checks that ParseStages never panics and that what it
// accepts is valid and survives a round trip.
func FuzzParseStages(f *testing.F) {
	for _, seed := range []string{"30s:100,1m:100,30s:0", "1m30s:2.5", "", "5s", "0s:1", "1s:-1", "1s:NaN", "1h:1e308", " 1s : 1 ,2s:2"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		stages, err := ParseStages(in)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "stage ") {
				t.Fatalf("error %q does not name the stage", err)
			}
			return
		}
		parts := make([]string, len(stages))
		for i, st := range stages {
			if st.Duration <= 0 || st.Target < 0 || math.IsInf(st.Target, 0) || math.IsNaN(st.Target) {
				t.Fatalf("accepted a bad stage %+v from %q", st, in)
			}
			parts[i] = fmt.Sprintf("%s:%v", st.Duration, st.Target)
		}
		again, err := ParseStages(strings.Join(parts, ","))
		if err != nil || len(again) != len(stages) {
			t.Fatalf("round trip of %v: %v, %v", stages, again, err)
		}
		for i := range again {
			if again[i] != stages[i] {
				t.Fatalf("round trip of %v: %v", stages, again)
			}
		}
	})
}

// FuzzJSONBody checks the typing rule on any variable value: the body is
// valid JSON, a value that is a JSON literal is emitted as is, and any other
// value comes back as the same string.
func FuzzJSONBody(f *testing.F) {
	for _, seed := range []string{"42", "-1.5e3", "true", "null", "abc", "042", "", "\"", "\\", "\x00", "\xff", "\u2028", "{}"} {
		f.Add(seed)
	}
	s, err := Parse("f.yaml", []byte(`tasks: [{steps: [{name: s, request: {path: /, json: {v: "{{ .v }}", w: "<{{ .v }}>"}}, extract: {v: v}}]}]`))
	if err != nil {
		f.Fatal(err)
	}
	st := s.Tasks[0].Steps[0]
	f.Fuzz(func(t *testing.T, v string) {
		req, err := st.NewRequest(context.Background(), "http://127.0.0.1:1", Vars{"v": v}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(req.Body)
		var body struct {
			V json.RawMessage
			W string
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("v=%q: invalid JSON %s: %v", v, raw, err)
		}
		want := string([]rune(v)) // each invalid byte becomes U+FFFD
		if body.W != "<"+want+">" {
			t.Fatalf("v=%q: w = %q", v, body.W)
		}
		if isJSONLiteral(v) {
			if string(body.V) != v {
				t.Fatalf("v=%q: emitted %s, want the literal", v, body.V)
			}
			return
		}
		var got string
		if err := json.Unmarshal(body.V, &got); err != nil || got != want {
			t.Fatalf("v=%q: emitted %s, want the string back", v, body.V)
		}
	})
}
