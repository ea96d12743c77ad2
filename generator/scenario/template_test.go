package scenario

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestCompileTemplateChoosesTheCheapestPath(t *testing.T) {
	cases := []struct {
		src    string
		kind   string // literal, plain (no text/template), full, random (full with a per-call source)
		single bool
		vars   []string
	}{
		{"/todo", "literal", false, nil},
		{"", "literal", false, nil},
		{"a {{/* comment */}}b", "literal", false, nil},
		{"{{ .id }}", "plain", true, []string{"id"}},
		{"/todo/{{ .id }}/{{.sub}}", "plain", false, []string{"id", "sub"}},
		{"{{- .id -}}", "plain", true, []string{"id"}},
		{"{{ .id | urlquery }}", "full", true, []string{"id"}},
		{`{{ env "HOME" }}`, "full", true, nil},
		{"{{ if .a }}{{ .b }}{{ end }}", "full", false, []string{"a", "b"}}, // a block, not one action
		{"{{ with .a }}{{ .inner }}{{ end }}{{ $.c }}", "full", false, []string{"a", "c"}},
		{"{{ range $i, $x := .list }}{{ $x }}{{ else }}{{ .none }}{{ end }}", "full", false, []string{"list", "none"}},
		{"{{ lorem 3 }}", "random", true, nil},
		{"x{{ uuid }}", "random", false, nil},
		{"{{ printf \"%d\" (randInt 1 .max) }}", "random", true, []string{"max"}},
		{"{{ 3 | lorem }}", "random", true, nil},
	}
	for _, tc := range cases {
		tm, vars, err := compileTemplate(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		kind := "literal"
		switch {
		case tm.full != nil && tm.random != nil:
			kind = "random"
		case tm.full != nil:
			kind = "full"
		case tm.segs != nil:
			kind = "plain"
		}
		if kind != tc.kind || tm.single != tc.single || !slices.Equal(vars, tc.vars) {
			t.Errorf("%q: kind %s single %v vars %v, want %s %v %v", tc.src, kind, tm.single, vars, tc.kind, tc.single, tc.vars)
		}
	}
}

func TestCompileTemplateRejects(t *testing.T) {
	cases := map[string]string{
		"{{ .id ":                                 "unclosed action",
		"{{ nope }}":                              `function "nope" not defined`,
		"{{ lorem }}":                             "lorem takes 1 argument(s), got 0",
		"{{ lorem 1 2 }}":                         "lorem takes 1 argument(s), got 2",
		"{{ 1 | lorem 2 }}":                       "lorem takes 1 argument(s), got 2",
		"{{ uuid 1 }}":                            "uuid takes 0 argument(s), got 1",
		"{{ randInt 1 }}":                         "randInt takes 2 argument(s), got 1",
		`{{ env }}`:                               "env takes 1 argument(s), got 0",
		"{{ printf \"%s\" lorem }}":               "lorem takes 1 argument(s), got 0",
		"{{ lorem -1 }}":                          "lorem -1: want 0 to 10000 words",
		"{{ lorem 10001 }}":                       "lorem 10001: want 0 to 10000 words",
		"{{ randInt 5 4 }}":                       "randInt 5 4: min is greater than max",
		`{{ define "x" }}{{ end }}`:               "define and block are not supported",
		`{{ block "x" . }}{{ end }}`:              "define and block are not supported",
		`{{ template "x" }}`:                      "{{ template }} is not supported",
		"{{ .a }}{{ if .b }}{{ lorem }}{{ end }}": "lorem takes 1 argument(s)",
	}
	for src, want := range cases {
		_, _, err := compileTemplate(src)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "bad template: ") {
			t.Errorf("compileTemplate(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestRenderPaths(t *testing.T) {
	vars := Vars{"id": "7", "name": "a b", "n": "3"}
	cases := []struct{ src, want string }{
		{"/todo", "/todo"},
		{"/todo/{{ .id }}", "/todo/7"},
		{"{{ .id }}", "7"},
		{"/{{ .id }}/{{ .name }}/", "/7/a b/"},
		{"/{{ .name | urlquery }}", "/a+b"},
		{"{{ if eq .id \"7\" }}seven{{ else }}other{{ end }}", "seven"},
		{"{{ with .id }}{{ . }}{{ end }}", "7"},
		{"{{ $.id }}", "7"},
	}
	for _, tc := range cases {
		tm, _, err := compileTemplate(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tm.render(vars, newRand(1))
		if err != nil || got != tc.want {
			t.Errorf("%q rendered %q, %v; want %q", tc.src, got, err, tc.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	cases := map[string]string{
		"/{{ .missing }}":            `variable "missing" is not set`,
		"/{{ .missing | urlquery }}": `variable "missing" is not set`,
		"/{{ lorem .n }}":            "at <.n>: wrong type for value; expected int; got string",
		"/{{ randInt 1 (len .id) }}{{ randInt 5 (len .id) }}": "randInt 5 1: min is greater than max",
	}
	for src, want := range cases {
		tm, _, err := compileTemplate(src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tm.render(Vars{"n": "3", "id": "x"}, newRand(1))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "template: t:") {
			t.Errorf("%q: %v, want %q without text/template's prefix", src, err, want)
		}
	}
}

func TestRandomFunctions(t *testing.T) {
	f := &randomFuncs{rng: newRand(3)}
	for _, n := range []int{0, 1, 6, 100} {
		s, err := f.lorem(n)
		if err != nil || len(strings.Fields(s)) != n {
			t.Errorf("lorem %d = %q, %v", n, s, err)
		}
		for _, w := range strings.Fields(s) {
			if !slices.Contains(loremWords[:], w) {
				t.Errorf("lorem word %q is not in the vocabulary", w)
			}
		}
	}
	seen := map[string]bool{}
	for range 100 {
		u := f.uuid()
		if !uuidV4.MatchString(u) || seen[u] {
			t.Fatalf("uuid %q: not a v4 UUID, or repeated", u)
		}
		seen[u] = true
	}
	lo, hi := false, false
	for range 1000 {
		v, err := f.randInt(1, 3)
		if err != nil || v < 1 || v > 3 {
			t.Fatalf("randInt 1 3 = %d, %v", v, err)
		}
		lo, hi = lo || v == 1, hi || v == 3
	}
	if !lo || !hi {
		t.Error("randInt 1 3 never reached a bound in 1000 draws: the range must be inclusive")
	}
	for _, r := range [][2]int{{math.MinInt, math.MaxInt}, {math.MaxInt, math.MaxInt}, {-5, -5}, {math.MinInt, 0}} {
		v, err := f.randInt(r[0], r[1])
		if err != nil || v < r[0] || v > r[1] {
			t.Errorf("randInt %d %d = %d, %v", r[0], r[1], v, err)
		}
	}
	if _, err := f.randInt(2, 1); err == nil {
		t.Error("randInt 2 1 should fail")
	}
	if _, err := f.lorem(-1); err == nil {
		t.Error("lorem -1 should fail")
	}
	// Without a source, the global one is used.
	if s, err := (&randomFuncs{}).lorem(2); err != nil || len(strings.Fields(s)) != 2 {
		t.Errorf("lorem without rng = %q, %v", s, err)
	}
}

func TestIsJSONNumber(t *testing.T) {
	valid := []string{"0", "-0", "1", "-12", "1.5", "0.001", "1e9", "1E+9", "-1.5e-3", "12345678901234567890"}
	invalid := []string{"", "-", "01", "1.", ".1", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", " 1", "1 ", "1_000", "١"}
	for _, s := range valid {
		if !isJSONNumber(s) {
			t.Errorf("isJSONNumber(%q) = false", s)
		}
	}
	for _, s := range invalid {
		if isJSONNumber(s) {
			t.Errorf("isJSONNumber(%q) = true", s)
		}
	}
}
