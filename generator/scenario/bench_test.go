package scenario

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkNewRequest measures rendering the request kinds of the demo
// scenario: a literal path, a plain {{ .id }} path, a json body with a
// random function and a typed variable, and a body without templates.
func BenchmarkNewRequest(b *testing.B) {
	s := mustParse(b, `      - name: literal
        request: {path: /hello}
      - name: plain
        request: {path: "/todo/{{ .id }}"}
        extract: {id: Id}
      - name: json
        request:
          method: PUT
          path: "/todo/{{ .id }}"
          json: {Id: "{{ .id }}", Description: "{{ lorem 6 }}", Completed: true}
      - name: static json
        request: {method: POST, path: /todo, json: {Description: fixed, Completed: false}}
      - name: headers and query
        request: {path: /search, headers: {X-Id: "{{ .id }}"}, query: {q: "{{ .id }}"}}
`)
	vars := Vars{"id": "42"}
	for _, st := range s.Tasks[0].Steps {
		b.Run(st.Name, func(b *testing.B) {
			rng := newRand(1)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.NewRequest(ctx, s.BaseURL, vars, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	s := mustParse(b, `      - name: create
        request: {path: /todo}
        extract: {id: Id}
        check: {status: 201, json: {Id: {exists: true}}}
`)
	st := s.Tasks[0].Steps[0]
	resp := &Response{Status: 201, Body: []byte(`{"Id":12345,"Description":"lorem ipsum dolor sit amet elit","Completed":false}`)}
	vars := Vars{}
	dst := make([]CheckResult, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = st.Evaluate(resp, vars, dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "valid", "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("full.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
