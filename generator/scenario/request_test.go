package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func loadFull(t testing.TB) *Scenario {
	t.Helper()
	s, err := Load(filepath.Join("testdata", "valid", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustParse parses a one-task scenario whose steps are given as YAML.
func mustParse(t testing.TB, steps string) *Scenario {
	t.Helper()
	s, err := Parse("test.yaml", []byte("base_url: http://127.0.0.1:8080\ntasks:\n  - name: t\n    steps:\n"+steps))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readBody(t testing.TB, req *http.Request) string {
	t.Helper()
	if req.Body == nil {
		return ""
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var fullVars = Vars{"token": "tok", "csrf": "123", "user": "ann", "id": "7"}

func TestNewRequestJSONBody(t *testing.T) {
	s := loadFull(t)
	create := s.Tasks[1].Steps[0]
	req, err := create.NewRequest(context.Background(), s.BaseURL, fullVars, newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" {
		t.Errorf("method %q", req.Method)
	}
	if want := "http://127.0.0.1:8080/api/todo?page=1&q=a+b&tag=ann"; req.URL.String() != want {
		t.Errorf("URL %q, want %q", req.URL, want)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer tok" {
		t.Errorf("Authorization %q", got)
	}
	if got := req.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	raw := readBody(t, req)
	if req.ContentLength != int64(len(raw)) || req.GetBody == nil {
		t.Errorf("ContentLength %d for %d bytes, GetBody set: %v", req.ContentLength, len(raw), req.GetBody != nil)
	}
	again, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(again); string(b) != raw {
		t.Error("GetBody returned a different body")
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	desc, _ := body["Description"].(string)
	if len(strings.Fields(desc)) != 6 {
		t.Errorf("Description %q, want 6 lorem words", desc)
	}
	delete(body, "Description")
	want := map[string]any{
		"Completed": false, "Count": 3.0, "Ratio": 0.5, "Nothing": nil, "Quoted": "5",
		"Tags":   []any{"a", "ann", 7.0},
		"Nested": map[string]any{"Id": 123.0, "Label": "id-123"},
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body %s\ngot  %#v\nwant %#v", raw, body, want)
	}
	// The keys keep the order of the YAML.
	if !strings.HasPrefix(raw, `{"Description":"`) || !strings.Contains(raw, `"Completed":false,"Count":3,"Ratio":0.5,"Nothing":null,"Quoted":"5","Tags":["a","ann",7]`) {
		t.Errorf("body %s", raw)
	}
}

func TestJSONTypingRule(t *testing.T) {
	s := mustParse(t, `      - name: s
        request:
          path: /
          json: {v: "{{ .v }}", padded: " {{ .v }}", fn: "{{ .v | printf \"%s\" }}"}
        extract: {v: x}
`)
	st := s.Tasks[0].Steps[0]
	cases := []struct {
		value string
		json  string // how "{{ .v }}" is emitted
	}{
		{"42", `42`},
		{"-1.5e3", `-1.5e3`},
		{"0", `0`},
		{"true", `true`},
		{"false", `false`},
		{"null", `null`},
		{"abc", `"abc"`},
		{"042", `"042"`},
		{"1.", `"1."`},
		{".5", `".5"`},
		{"+1", `"+1"`},
		{"1e", `"1e"`},
		{"NaN", `"NaN"`},
		{" 5", `" 5"`},
		{"True", `"True"`},
		{`{"a":1}`, `"{\"a\":1}"`},
		{"", `""`},
		{"line\nbreak\t\"q\" <&>", `"line\nbreak\t\"q\" <&>"`},
		{"\x01\xff", `"\u0001\ufffd"`},
	}
	for _, tc := range cases {
		req, err := st.NewRequest(context.Background(), s.BaseURL, Vars{"v": tc.value}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw := readBody(t, req)
		// Only the exact single action is typed; padded text stays a string,
		// and so does a single action through a function, by the same rule.
		padded := string(appendJSONString(nil, " "+tc.value))
		want := `{"v":` + tc.json + `,"padded":` + padded + `,"fn":` + tc.json + `}`
		if raw != want {
			t.Errorf("v=%q: body %s, want %s", tc.value, raw, want)
		}
		if !json.Valid([]byte(raw)) {
			t.Errorf("v=%q: invalid JSON %s", tc.value, raw)
		}
	}
}

func TestNewRequestRawBodyAndAbsoluteURL(t *testing.T) {
	s := loadFull(t)
	login := s.Tasks[0].Steps[0]
	// An absolute url ignores the base URL, even when it is empty.
	req, err := login.NewRequest(context.Background(), "", nil, newRand(2))
	if err != nil {
		t.Fatal(err)
	}
	if req.URL.String() != "http://127.0.0.1:9000/login" || req.Method != "POST" {
		t.Errorf("%s %s", req.Method, req.URL)
	}
	if got := req.Header.Get("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", got)
	}
	if got := req.Header.Get("X-Trace"); !uuidV4.MatchString(got) {
		t.Errorf("X-Trace %q is not a v4 UUID", got)
	}
	body := readBody(t, req)
	if !regexp.MustCompile(`^user=u([1-9][0-9]?|100)&pass=secret$`).MatchString(body) {
		t.Errorf("body %q", body)
	}
	if req.ContentLength != int64(len(body)) || req.GetBody == nil {
		t.Errorf("ContentLength %d, GetBody %v", req.ContentLength, req.GetBody != nil)
	}
}

func TestNewRequestIsReproducible(t *testing.T) {
	s := loadFull(t)
	render := func(seed uint64) string {
		var out []string
		rng := newRand(seed)
		for _, task := range s.Tasks {
			for _, st := range task.Steps {
				req, err := st.NewRequest(context.Background(), s.BaseURL, fullVars, rng)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, req.URL.String(), req.Header.Get("X-Trace"), readBody(t, req))
			}
		}
		return strings.Join(out, "\n")
	}
	if a, b := render(7), render(7); a != b {
		t.Errorf("same seed, different requests:\n%s\n---\n%s", a, b)
	}
	if render(7) == render(8) {
		t.Error("different seeds gave the same random values")
	}
}

func TestNewRequestWithoutBody(t *testing.T) {
	s := loadFull(t)
	del := s.Tasks[1].Steps[2]
	req, err := del.NewRequest(context.Background(), s.BaseURL, fullVars, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "DELETE" || req.URL.String() != "http://127.0.0.1:8080/api/todo/7" {
		t.Errorf("%s %s", req.Method, req.URL)
	}
	if req.Body != nil && req.Body != http.NoBody || req.ContentLength != 0 || len(req.Header) != 0 {
		t.Errorf("body %v, length %d, headers %v", req.Body, req.ContentLength, req.Header)
	}
}

func TestNewRequestHeadersAndQuery(t *testing.T) {
	s := mustParse(t, `      - name: s
        request:
          path: "/search?fixed=1"
          headers: {Host: api.test, x-lower: v, Content-Type: text/plain}
          query: {"b key": "{{ .q }}", a: "x&y=z"}
          json: [1]
        extract: {q: q}
`)
	st := s.Tasks[0].Steps[0]
	req, err := st.NewRequest(context.Background(), s.BaseURL, Vars{"q": "ü/?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:8080/search?fixed=1&a=x%26y%3Dz&b+key=%C3%BC%2F%3F"; req.URL.String() != want {
		t.Errorf("URL %q, want %q", req.URL, want)
	}
	if req.Host != "api.test" || req.Header.Get("Host") != "" {
		t.Errorf("Host %q, header %q: a Host header must set req.Host", req.Host, req.Header.Get("Host"))
	}
	if req.Header.Get("X-Lower") != "v" || req.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("headers %v: a user Content-Type overrides application/json", req.Header)
	}
}

func TestNewRequestErrors(t *testing.T) {
	s := mustParse(t, `      - name: get
        request: {path: "/todo/{{ .id }}"}
        extract: {id: Id}
      - name: post
        request:
          path: /x
          json: {a: {b: "{{ .id }}"}}
      - name: header
        request: {path: /x, headers: {X-A: "{{ .id }}"}}
      - name: query
        request: {path: /x, query: {a: "{{ .id }}"}}
      - name: body
        request: {path: /x, body: "{{ .id }}"}
      - name: func
        request: {path: "/{{ lorem (len .id) }}"}
`)
	steps := s.Tasks[0].Steps
	cases := []struct {
		step  *Step
		base  string
		vars  Vars
		line  int
		field string
		msg   string
	}{
		{steps[0], s.BaseURL, nil, 6, "tasks[0].steps[0].request.path", `variable "id" is not set`},
		{steps[0], "", Vars{"id": "1"}, 6, "tasks[0].steps[0].request.path", "no base URL is set"},
		{steps[1], s.BaseURL, Vars{}, 11, "tasks[0].steps[1].request.json.a.b", `variable "id" is not set`},
		{steps[2], s.BaseURL, Vars{}, 13, "tasks[0].steps[2].request.headers.X-A", `variable "id" is not set`},
		{steps[3], s.BaseURL, Vars{}, 15, "tasks[0].steps[3].request.query.a", `variable "id" is not set`},
		{steps[4], s.BaseURL, Vars{}, 17, "tasks[0].steps[4].request.body", `variable "id" is not set`},
		{steps[0], s.BaseURL, Vars{"id": "%zz"}, 6, "tasks[0].steps[0].request.path", "bad URL"},
		{steps[5], s.BaseURL, Vars{"id": strings.Repeat("x", maxLoremWords+1)}, 19, "tasks[0].steps[5].request.path", "lorem 10001"},
	}
	for i, tc := range cases {
		_, err := tc.step.NewRequest(context.Background(), tc.base, tc.vars, nil)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("case %d: err %v, want a *FieldError", i, err)
			continue
		}
		if fe.File != "test.yaml" || fe.Line != tc.line || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) ||
			!strings.HasPrefix(fe.Msg, `step "`+tc.step.Name+`": `) {
			t.Errorf("case %d: %v\nwant test.yaml:%d: %s: step %q: ...%s...", i, err, tc.line, tc.field, tc.step.Name, tc.msg)
		}
	}
}

func TestNewRequestZeroStep(t *testing.T) {
	if _, err := (&Step{Name: "x"}).NewRequest(context.Background(), "http://127.0.0.1", nil, nil); err == nil {
		t.Error("a Step without a request should fail, not panic")
	}
}

func TestNewRequestUsesContext(t *testing.T) {
	s := loadFull(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := s.Tasks[1].Steps[2].NewRequest(ctx, s.BaseURL, fullVars, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.Context() != ctx {
		t.Error("the request does not carry the context")
	}
}

func TestNewRequestConcurrent(t *testing.T) {
	s := loadFull(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := newRand(uint64(g))
			for range 200 {
				for _, task := range s.Tasks {
					for _, st := range task.Steps {
						req, err := st.NewRequest(context.Background(), s.BaseURL, fullVars, rng)
						if err != nil {
							errs <- err
							return
						}
						if req.Body != nil {
							_, _ = io.Copy(io.Discard, req.Body)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTemplateEnv(t *testing.T) {
	t.Setenv("STAMPEDE_TEST_TOKEN", "secret")
	tm, _, err := compileTemplate(`Bearer {{ env "STAMPEDE_TEST_TOKEN" }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.render(nil, nil)
	if err != nil || got != "Bearer secret" {
		t.Errorf("render = %q, %v", got, err)
	}
	// env is read at render time, not at load.
	if err := os.Setenv("STAMPEDE_TEST_TOKEN", "rotated"); err != nil {
		t.Fatal(err)
	}
	if got, _ := tm.render(nil, nil); got != "Bearer rotated" {
		t.Errorf("after Setenv, render = %q", got)
	}
}
