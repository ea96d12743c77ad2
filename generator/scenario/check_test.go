package scenario

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestEvaluateChecks(t *testing.T) {
	s := mustParse(t, `      - name: s
        request: {path: /}
        check:
          status: [200, 204]
          json:
            Id: {exists: true}
            Gone: {exists: false}
            Name: {equals: ann}
            Count: {equals: 3}
            Ok: {equals: true}
            Nothing: {equals: null}
            Quoted: {equals: "5"}
            a.b: {equals: 1.5}
          body_contains: ann
`)
	st := s.Tasks[0].Steps[0]
	wantNames := []string{"status", "json:Count", "json:Gone", "json:Id", "json:Name", "json:Nothing", "json:Ok", "json:Quoted", "json:a.b", "body_contains"}
	if got := st.CheckNames(); !reflect.DeepEqual(got, wantNames) {
		t.Fatalf("CheckNames() = %v\nwant %v", got, wantNames)
	}
	if !st.NeedsBody() || !st.ExpectsStatus() {
		t.Error("NeedsBody and ExpectsStatus should be true")
	}
	good := `{"Id": 1, "Name": "ann", "Count": 3.0, "Ok": true, "Nothing": null, "Quoted": "5", "a": {"b": 1.5}}`
	bad := `{"Gone": 1, "Name": "bob", "Count": "3", "Ok": false, "Quoted": 5, "a": {"b": 2}}`
	cases := []struct {
		name    string
		resp    *Response
		details []string // "" for a passing check, in CheckNames order
	}{
		{"all pass", &Response{Status: 204, Body: []byte(good)}, make([]string, len(wantNames))},
		{"all fail", &Response{Status: 500, Body: []byte(bad)}, []string{
			"status 500, want one of [200 204]",
			`json Count = "3", want 3`,
			"json Gone = 1, want it absent",
			"json Id is missing",
			`json Name = "bob", want "ann"`,
			"json Nothing is missing, want null",
			"json Ok = false, want true",
			`json Quoted = 5, want "5"`,
			"json a.b = 2, want 1.5",
			`body does not contain "ann"`,
		}},
		{"no response", nil, []string{
			"no response, want one of [200 204]",
			"json Count is missing, want 3",
			"",
			"json Id is missing",
			`json Name is missing, want "ann"`,
			"json Nothing is missing, want null",
			"json Ok is missing, want true",
			`json Quoted is missing, want "5"`,
			"json a.b is missing, want 1.5",
			`body does not contain "ann"`,
		}},
	}
	for _, tc := range cases {
		prefix := []CheckResult{{Name: "earlier"}}
		got, err := st.Evaluate(tc.resp, Vars{}, prefix)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if len(got) != 1+len(wantNames) || got[0].Name != "earlier" {
			t.Fatalf("%s: Evaluate must append to dst: %v", tc.name, got)
		}
		for i, r := range got[1:] {
			want := CheckResult{Name: wantNames[i], Passed: tc.details[i] == "", Detail: tc.details[i]}
			if r != want {
				t.Errorf("%s: result %d = %+v, want %+v", tc.name, i, r, want)
			}
		}
	}
}

func TestEvaluateSingleStatus(t *testing.T) {
	s := mustParse(t, "      - {name: s, request: {path: /}, check: {status: 201}}\n")
	st := s.Tasks[0].Steps[0]
	got, err := st.Evaluate(&Response{Status: 500}, nil, nil)
	if err != nil || len(got) != 1 || got[0] != (CheckResult{Name: "status", Detail: "status 500, want 201"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	if st.NeedsBody() {
		t.Error("a status check does not need the body")
	}
}

func TestEvaluateWithoutChecks(t *testing.T) {
	s := mustParse(t, "      - {name: s, request: {path: /}}\n")
	st := s.Tasks[0].Steps[0]
	got, err := st.Evaluate(&Response{Status: 500}, nil, nil)
	if err != nil || len(got) != 0 || st.ExpectsStatus() || st.NeedsBody() {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestEvaluateExtracts(t *testing.T) {
	s := mustParse(t, `      - name: login
        request: {path: /}
        extract:
          id: Id
          name: user.name
          tags: tags
          count: {from: json, path: "tags.#"}
          token: {from: header, name: x-token}
          csrf: {from: regex, pattern: 'csrf=(\w+);'}
        check: {status: 200}
`)
	st := s.Tasks[0].Steps[0]
	resp := &Response{
		Status: 200,
		Header: http.Header{"X-Token": {"t1", "t2"}},
		Body:   []byte(`{"Id": 42, "user": {"name": "ann"}, "tags": ["a","b"], "html": "<i csrf=c5;>"}`),
	}
	vars := Vars{"keep": "me", "id": "old"}
	results, err := st.Evaluate(resp, vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Vars{"keep": "me", "id": "42", "name": "ann", "tags": `["a","b"]`, "count": "2", "token": "t1", "csrf": "c5"}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("vars %v, want %v", vars, want)
	}
	if len(results) != 1 || !results[0].Passed {
		t.Errorf("checks %v", results)
	}
	// The body buffer may be reused by the engine: values must not alias it.
	for i := range resp.Body {
		resp.Body[i] = 'x'
	}
	if vars["name"] != "ann" || vars["csrf"] != "c5" {
		t.Errorf("extracted values changed with the body: %v", vars)
	}
}

func TestEvaluateExtractionErrors(t *testing.T) {
	s := mustParse(t, `      - name: login
        request: {path: /}
        extract:
          id: Id
          token: {from: header, name: X-Token}
          csrf: {from: regex, pattern: 'csrf=(\w+)'}
        check: {status: 200}
`)
	st := s.Tasks[0].Steps[0]
	vars := Vars{"id": "stale", "token": "stale", "csrf": "stale", "other": "x"}
	results, err := st.Evaluate(&Response{Status: 500, Body: []byte(`{"Other": 1}`)}, vars, nil)
	if len(results) != 1 || results[0].Passed {
		t.Errorf("checks must still be reported: %v", results)
	}
	if err == nil {
		t.Fatal("want an extraction error")
	}
	msg := err.Error()
	for _, want := range []string{
		`test.yaml:10: tasks[0].steps[0].extract.csrf: step "login": regex "csrf=(\\w+)" does not match the response body`,
		`test.yaml:8: tasks[0].steps[0].extract.id: step "login": json path "Id" is not in the response body`,
		`test.yaml:9: tasks[0].steps[0].extract.token: step "login": header "X-Token" is not in the response`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error\n%s\nlacks\n%s", msg, want)
		}
	}
	if !reflect.DeepEqual(vars, Vars{"other": "x"}) {
		t.Errorf("failed extractions must remove stale values: %v", vars)
	}
	_, err = st.Evaluate(&Response{Status: 200}, Vars{}, nil)
	if err == nil || !strings.Contains(err.Error(), "the response body is empty") {
		t.Errorf("empty body: %v", err)
	}
	var fe *FieldError
	single := mustParse(t, "      - {name: s, request: {path: /}, extract: {id: Id}}\n").Tasks[0].Steps[0]
	if _, err := single.Evaluate(&Response{Body: []byte(`{}`)}, Vars{}, nil); err == nil || !errorsAs(err, &fe) || fe.Field != "tasks[0].steps[0].extract.id" {
		t.Errorf("a single failure should be a *FieldError: %v", err)
	}
	if _, err := single.Evaluate(&Response{Body: []byte(`{"Id":1}`)}, nil, nil); err == nil {
		t.Error("extracting into nil vars should fail, not panic")
	}
}
