package scenario_test

import (
	"slices"
	"testing"

	"github.com/stampedehq/stampede/generator/scenario"
)

func TestTargetsListsTheHostsKnownBeforeTheRun(t *testing.T) {
	sc, err := scenario.Parse("t.yaml", []byte(`
name: t
base_url: http://127.0.0.1:8080
tasks:
  - name: t
    steps:
      - {name: a, request: {path: /x}}
      - {name: b, request: {url: "http://api.example.com/items/{{ .id }}"}, extract: {id: Id}}
      - {name: c, request: {url: "http://api.example.com/other"}}
      - {name: d, request: {url: "https://{{ .id }}.example.com/"}}
      - {name: e, request: {url: "http://other.example.com:9000?q=1"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := sc.Targets()
	want := []string{"http://127.0.0.1:8080", "http://api.example.com", "http://other.example.com:9000"}
	if !slices.Equal(got, want) {
		t.Errorf("Targets() = %q, want %q (the templated host is left to the dial check)", got, want)
	}
}
