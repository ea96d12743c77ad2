package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// want is one expected problem of a bad scenario.
type want struct {
	line  int
	field string
	msg   string // a part of the message
}

// invalidCases are the scenarios in testdata/invalid, one rule each (and
// many_errors, several at once), with every problem they must report.
var invalidCases = []struct {
	file  string
	wants []want
}{
	{"bad_duration", []want{{2, "think_time.constant", "\"5\" is not a duration"}}},
	{"base_url_bad", []want{{2, "base_url", "\"127.0.0.1:8080\" is not an absolute http or https URL"}}},
	{"base_url_query", []want{{2, "base_url", "\"http://127.0.0.1:8080/?a=b\" must not have a query or fragment"}}},
	{"between_min_greater", []want{{2, "think_time.between", "min 5s is greater than max 2s"}}},
	{"between_not_list", []want{{2, "think_time.between", "want a list, got \"2s\""}}},
	{"between_three_values", []want{{2, "think_time.between", "want [min, max], got 3 value(s)"}}},
	{"body_contains_empty", []want{{7, "tasks[0].steps[0].check.body_contains", "empty string"}}},
	{"body_not_string", []want{{8, "tasks[0].steps[0].request.body", "want a string, got a mapping"}}},
	{"duplicate_field", []want{{7, "tasks[0].steps[0].name", "duplicate field"}}},
	{"duplicate_task_names", []want{{6, "tasks[1].name", "duplicate task name \"a\""}}},
	{"empty", []want{{0, "", "empty scenario"}}},
	{"extract_bad_regex", []want{{8, "tasks[0].steps[0].extract.csrf.pattern", "bad regex: error parsing regexp: missing closing )"}}},
	{"extract_bad_variable", []want{{8, "tasks[0].steps[0].extract.my-id", "\"my-id\" cannot be a variable name"}}},
	{"extract_empty_path", []want{{8, "tasks[0].steps[0].extract.id", "empty JSON path"}}},
	{"extract_long_empty_path", []want{{8, "tasks[0].steps[0].extract.id.path", "empty JSON path"}}},
	{"extract_missing_name", []want{{8, "tasks[0].steps[0].extract.tok.name", "missing"}}},
	{"extract_regex_no_group", []want{{8, "tasks[0].steps[0].extract.csrf.pattern", "regex \"value=\\\"[^\\\"]+\\\"\" has no capture group"}}},
	{"extract_unknown_from", []want{{8, "tasks[0].steps[0].extract.tok.from", "\"cookie\" is not a source"}}},
	{"extract_wrong_field", []want{{8, "tasks[0].steps[0].extract.tok.path", "does not apply to from: header"}, {8, "tasks[0].steps[0].extract.tok.name", "missing"}}},
	{"header_bad_name", []want{{8, "tasks[0].steps[0].request.headers[\"X Trace\"]", "\"X Trace\" is not a valid header name"}}},
	{"header_line_break", []want{{8, "tasks[0].steps[0].request.headers.X-Trace", "a header value cannot hold a line break or NUL"}}},
	{"header_not_mapping", []want{{8, "tasks[0].steps[0].request.headers", "want a mapping of header names to values, got a list"}}},
	{"json_alias_cycle", []want{{8, "tasks[0].steps[0].request.json.a", "an alias refers to a node that contains it"}}},
	{"json_and_body", []want{{9, "tasks[0].steps[0].request", "both json and body are set"}}},
	{"json_check_both", []want{{9, "tasks[0].steps[0].check.json.Id", "want exactly one of exists or equals"}}},
	{"json_check_equals_mapping", []want{{9, "tasks[0].steps[0].check.json.Id.equals", "want a string, number, boolean or null, got a mapping"}}},
	{"json_check_exists_not_bool", []want{{9, "tasks[0].steps[0].check.json.Id.exists", "\"yes please\" is not true or false"}}},
	{"json_infinity", []want{{8, "tasks[0].steps[0].request.json.a", "\".inf\" cannot be written in JSON"}}},
	{"many_errors", []want{{2, "base_url", "\"localhost\" is not an absolute http or https URL"}, {5, "tasks[0].weight", "-1 is out of range"}, {9, "tasks[0].steps[0].request.method", "\"GETT\" is not an HTTP method"}, {10, "tasks[0].steps[0].request.path", "\"todo\" must start with /"}, {11, "tasks[0].steps[0].check.status", "1000 is not an HTTP status"}, {12, "tasks[0].steps[1].name", "missing: each step needs a name, the endpoint label of its metrics"}, {12, "tasks[0].steps[1].request", "both path and url are set"}, {14, "thresholds[0].metric", "\"latency\" is not a metric"}, {16, "stages[0].target", "-1 must not be negative"}}},
	{"merge_not_mapping", []want{{7, "tasks[0].steps[0].request", "<< merges a mapping or a list of mappings, got \"5\""}}},
	{"method_invalid", []want{{14, "tasks[0].steps[2].request.method", "\"GETT\" is not an HTTP method"}}},
	{"missing_request", []want{{5, "tasks[0].steps[0].request", "missing"}}},
	{"missing_step_name", []want{{5, "tasks[0].steps[0].name", "missing: each step needs a name, the endpoint label of its metrics"}}},
	{"missing_tasks", []want{{1, "tasks", "missing: a scenario needs at least one task"}}},
	{"negative_duration", []want{{7, "tasks[0].steps[0].think_time.constant", "\"-1s\" is negative"}}},
	{"no_path_or_url", []want{{6, "tasks[0].steps[0].request", "want path"}}},
	{"no_tasks", []want{{2, "tasks", "empty: a scenario needs at least one task"}}},
	{"not_mapping", []want{{1, "", "a scenario is a mapping with name, tasks, ..."}}},
	{"path_and_url", []want{{6, "tasks[0].steps[0].request", "both path and url are set"}}},
	{"path_no_slash", []want{{6, "tasks[0].steps[0].request.path", "\"todo\" must start with /"}}},
	{"stage_missing_target", []want{{8, "stages[0].target", "missing"}}},
	{"stage_negative_target", []want{{8, "stages[0].target", "-5 must not be negative"}}},
	{"stage_zero_duration", []want{{8, "stages[0].duration", "must be greater than 0"}}},
	{"status_empty_list", []want{{7, "tasks[0].steps[0].check.status", "empty list of status codes"}}},
	{"status_list_bad", []want{{8, "tasks[0].steps[0].check.status[1]", "99 is not an HTTP status"}}},
	{"status_not_integer", []want{{7, "tasks[0].steps[0].check.status", "\"ok\" is not an integer"}}},
	{"status_out_of_range", []want{{7, "tasks[0].steps[0].check.status", "700 is not an HTTP status"}}},
	{"syntax", []want{{5, "", "invalid YAML: did not find expected ',' or '}'"}}},
	{"syntax_first_line", []want{{1, "", "invalid YAML: mapping values are not allowed in this context"}}},
	{"task_missing_steps", []want{{3, "tasks[0].steps", "missing: a task needs at least one step"}}},
	{"task_no_steps", []want{{4, "tasks[0].steps", "empty: a task needs at least one step"}}},
	{"tasks_not_list", []want{{2, "tasks", "want a list, got a mapping"}}},
	{"template_arity", []want{{8, "tasks[0].steps[0].request.headers.X-Id", "bad template: lorem takes 1 argument(s), got 0"}}},
	{"template_define", []want{{8, "tasks[0].steps[0].request.body", "bad template: define and block are not supported"}}},
	{"template_parse_error", []want{{6, "tasks[0].steps[0].request.path", "bad template: unclosed action"}}},
	{"template_randint_order", []want{{8, "tasks[0].steps[0].request.query.n", "bad template: randInt 9 1: min is greater than max"}}},
	{"template_unknown_function", []want{{8, "tasks[0].steps[0].request.json.a", "bad template: function \"loremm\" not defined"}}},
	{"think_time_no_kind", []want{{7, "tasks[0].steps[0].think_time", "want exactly one of constant, between or pacing, got 0"}}},
	{"think_time_several_kinds", []want{{4, "tasks[0].think_time", "want exactly one of constant, between or pacing, got 2"}}},
	{"threshold_field_not_applicable", []want{{8, "thresholds[0].p", "does not apply to http_req_failed"}}},
	{"threshold_max_rate_range", []want{{8, "thresholds[0].max_rate", "1.5 is not a fraction in [0, 1]"}}},
	{"threshold_min_rate_range", []want{{8, "thresholds[0].min_rate", "-0.1 is not a fraction in [0, 1]"}}},
	{"threshold_missing_max", []want{{8, "thresholds[0].max", "missing"}}},
	{"threshold_missing_metric", []want{{8, "thresholds[0].metric", "missing"}}},
	{"threshold_p_over_100", []want{{8, "thresholds[0].p", "100.5 is not a percentile in"}}},
	{"threshold_p_zero", []want{{8, "thresholds[0].p", "0 is not a percentile in"}}},
	{"threshold_unknown_endpoint", []want{{8, "thresholds[0].endpoint", "\"crate\" is not a step name"}}},
	{"threshold_unknown_metric", []want{{8, "thresholds[0].metric", "\"http_req_faild\" is not a metric"}}},
	{"two_documents", []want{{7, "", "a second YAML document"}}},
	{"unknown_anchor", []want{{7, "", "invalid YAML: unknown anchor 'nope' referenced"}}},
	{"unknown_nested_field", []want{{7, "tasks[0].steps[0].check.body_contain", "unknown field; did you mean \"body_contains\"?"}}},
	{"unknown_step_field", []want{{5, "tasks[0].steps[0].request", "missing"}, {6, "tasks[0].steps[0].requst", "unknown field; did you mean \"request\"?"}}},
	{"unknown_top_field", []want{{1, "tasks", "missing: a scenario needs at least one task"}, {2, "task", "unknown field; did you mean \"tasks\"?"}}},
	{"url_not_http", []want{{6, "tasks[0].steps[0].request.url", "\"ftp://127.0.0.1/x\" is not an absolute http or https URL"}}},
	{"url_relative", []want{{6, "tasks[0].steps[0].request.url", "\"/x\" is not an absolute http or https URL"}}},
	{"url_template_not_http", []want{{6, "tasks[0].steps[0].request.url", "\"ws://{{ env \\\"HOST\\\" }}/x\" is not an absolute http or https URL"}}},
	{"variable_never_extracted", []want{{9, "tasks[0].steps[1].request.path", "variable \"Id\" is never extracted"}}},
	{"weight_not_integer", []want{{4, "tasks[0].weight", "\"1.5\" is not an integer"}}},
	{"weight_zero", []want{{4, "tasks[0].weight", "0 is out of range"}}},
}

func TestParseReportsEveryProblem(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", tc.file+".yaml")
			s, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, s)
			}
			got := fieldErrors(t, err)
			if len(got) != len(tc.wants) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tc.wants), err)
			}
			lines := strings.Split(err.Error(), "\n")
			for i, w := range tc.wants {
				fe := got[i]
				if fe.File != path || fe.Line != w.line || fe.Field != w.field || !strings.Contains(fe.Msg, w.msg) {
					t.Errorf("problem %d = %#v,\nwant file %q line %d field %q msg containing %q", i, fe, path, w.line, w.field, w.msg)
				}
				prefix := path
				if w.line > 0 {
					prefix += fmt.Sprintf(":%d", w.line)
				}
				if w.field != "" {
					prefix += ": " + w.field
				}
				if !strings.HasPrefix(lines[i], prefix+": ") || !strings.Contains(lines[i], w.msg) {
					t.Errorf("line %d of the error = %q, want it to start with %q and contain %q", i, lines[i], prefix+": ", w.msg)
				}
			}
		})
	}
}

// TestEveryInvalidFileIsTested keeps testdata/invalid and the table in step.
func TestEveryInvalidFileIsTested(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tested := make(map[string]bool)
	for _, tc := range invalidCases {
		tested[tc.file] = true
	}
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".yaml"); !tested[name] {
			t.Errorf("%s has no entry in invalidCases", f)
		}
	}
	if len(files) != len(invalidCases) {
		t.Errorf("%d files, %d cases", len(files), len(invalidCases))
	}
}

// fieldErrors unpacks the joined error of Parse.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	out := make([]*FieldError, len(errs))
	for i, e := range errs {
		if !errors.As(e, &out[i]) {
			t.Fatalf("problem %d is %T, not a *FieldError: %v", i, e, e)
		}
	}
	return out
}

func TestFieldErrorFormat(t *testing.T) {
	cases := []struct {
		err  FieldError
		want string
	}{
		{FieldError{File: "todo.yaml", Line: 14, Field: "tasks[0].steps[2].request.method", Msg: `"GETT" is not an HTTP method`},
			`todo.yaml:14: tasks[0].steps[2].request.method: "GETT" is not an HTTP method`},
		{FieldError{File: "todo.yaml", Field: "tasks", Msg: "missing"}, "todo.yaml: tasks: missing"},
		{FieldError{Line: 3, Field: "name", Msg: "bad"}, "line 3: name: bad"},
		{FieldError{File: "todo.yaml", Line: 2, Msg: "invalid YAML: x"}, "todo.yaml:2: invalid YAML: x"},
		{FieldError{Msg: "plain"}, "plain"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestFieldPaths(t *testing.T) {
	cases := []struct{ got, want string }{
		{fieldKey("", "tasks"), "tasks"},
		{fieldKey("tasks[0]", "name"), "tasks[0].name"},
		{fieldKey("headers", "X-Trace"), "headers.X-Trace"},
		{fieldKey("json", "a.b"), `json["a.b"]`},
		{fieldKey("query", ""), `query[""]`},
		{fieldIndex("tasks", 3), "tasks[3]"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestUnknownFieldSuggestions(t *testing.T) {
	known := []string{"name", "request", "extract", "check", "think_time"}
	cases := map[string]string{
		"requst":    `did you mean "request"?`,
		"Request":   `did you mean "request"?`,
		"thinktime": `did you mean "think_time"?`,
		"checks":    `did you mean "check"?`,
		"zzzzzzzz":  "want one of: name, request, extract, check, think_time",
	}
	for name, want := range cases {
		if got := suggest(name, known); !strings.Contains(got, want) {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("Load of a missing file = %v, want a not-exist error naming the file", err)
	}
}

func TestInlineScenarioErrorsHaveNoFile(t *testing.T) {
	_, err := Parse("", []byte("name: x\ntasks: []\n"))
	if err == nil || err.Error() != "line 2: tasks: empty: a scenario needs at least one task" {
		t.Errorf("err = %v", err)
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	// Each level doubles the size: 2^30 nodes if expanded in full.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x]\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	b.WriteString("name: bomb\ntasks:\n  - name: t\n    steps:\n      - name: s\n        request: {path: /x, json: *a30}\n")
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too large once its aliases are expanded") {
		t.Errorf("err = %v, want the node budget error", err)
	}
}
