package scenario

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Scenario is a validated load-test scenario: weighted tasks of sequential
// HTTP steps, with think times, thresholds and optional stages. It is
// read-only once loaded (except WithTarget) and safe for concurrent use.
type Scenario struct {
	Name       string
	BaseURL    string // from YAML or WithTarget; may be "" until set
	ThinkTime  ThinkTime
	Tasks      []*Task
	Thresholds []Threshold
	Stages     []Stage
	Source     string // file name used in messages ("" for inline)
	Hash       string // hex sha256 of the source bytes, lets a controller tell versions apart
}

// Task is a sequence of steps a virtual user runs as one iteration.
type Task struct {
	Name      string
	Weight    int       // relative frequency with which PickTask returns it, >= 1
	ThinkTime ThinkTime // zero value: inherit from scenario
	Steps     []*Step

	nameLine int // for messages about duplicate names
}

// Step is one HTTP request of a task, with its checks and extractions.
type Step struct {
	Name      string    // the endpoint label
	Method    string    // upper case
	ThinkTime ThinkTime // zero value: inherit from task

	source     string // scenario file, for runtime errors
	field      string // tasks[i].steps[j]
	line       int
	req        request
	extractors []extractor
	checks     checks
	checkNames []string
	needsBody  bool
}

// Vars are one virtual user's variables: what extraction stored, read by
// templates as {{ .name }}.
type Vars map[string]string

// Endpoint is a (step name, method) pair: the endpoint and method labels of
// request metrics.
type Endpoint struct{ Name, Method string }

// Response is what the engine read back (Body may be truncated to a bound;
// nil when NeedsBody is false).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// WithTarget overrides BaseURL. It must be an absolute http or https URL
// without query or fragment; a trailing slash is dropped. The error names
// the value.
func (s *Scenario) WithTarget(baseURL string) error {
	norm, err := normalizeBaseURL(baseURL)
	if err != nil {
		return err
	}
	s.BaseURL = norm
	return nil
}

func normalizeBaseURL(s string) (string, error) {
	if err := checkHTTPURL(s); err != nil {
		return "", err
	}
	u, _ := url.Parse(s)
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.Contains(s, "#") {
		return "", fmt.Errorf("%q must not have a query or fragment (the step paths are appended to it)", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// PickTask picks a task at random with probability proportional to its
// weight, drawing from rng (math/rand/v2's global source when nil). It
// returns nil when there are no tasks.
func (s *Scenario) PickTask(rng *rand.Rand) *Task {
	total := 0
	for _, t := range s.Tasks {
		total += max(t.Weight, 1)
	}
	if total == 0 {
		return nil
	}
	var n int
	if rng == nil {
		n = rand.IntN(total)
	} else {
		n = rng.IntN(total)
	}
	for _, t := range s.Tasks {
		if n -= max(t.Weight, 1); n < 0 {
			return t
		}
	}
	return s.Tasks[len(s.Tasks)-1]
}

// StepThinkTime is the pause after step st of task t: the step's think time,
// else the task's, else the scenario's.
func (s *Scenario) StepThinkTime(t *Task, st *Step) ThinkTime {
	if st != nil && !st.ThinkTime.IsZero() {
		return st.ThinkTime
	}
	return s.TaskThinkTime(t)
}

// TaskThinkTime is the task's think time, else the scenario's; the engine
// uses it for pacing between iterations.
func (s *Scenario) TaskThinkTime(t *Task) ThinkTime {
	if t != nil && !t.ThinkTime.IsZero() {
		return t.ThinkTime
	}
	return s.ThinkTime
}

// Endpoints lists every distinct (step name, method) pair in order of first
// appearance.
func (s *Scenario) Endpoints() []Endpoint {
	var out []Endpoint
	for _, t := range s.Tasks {
		for _, st := range t.Steps {
			e := Endpoint{Name: st.Name, Method: st.Method}
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// CheckNames returns the names of the step's checks in a fixed order:
// "status", "json:<path>" (one per json check, sorted by path), "body_contains".
func (st *Step) CheckNames() []string { return slices.Clone(st.checkNames) }

// NeedsBody reports whether checks or extraction read the response body (so
// the executor can skip keeping it otherwise).
func (st *Step) NeedsBody() bool { return st.needsBody }

// ExpectsStatus reports whether the step has a status check (when it has
// none, the engine treats status >= 400 as a failure).
func (st *Step) ExpectsStatus() bool { return len(st.checks.status) > 0 }

// Evaluate runs the step's checks, appending one result per CheckNames entry
// (same order) to dst, then extracts into vars. err is non-nil when an
// extraction fails: a *FieldError (joined, when several fail) naming the
// variable and its source; the variable is then removed from vars, so that no
// later request uses a stale value. A nil resp fails every check ("no
// response"). Evaluate is safe for concurrent use with different vars.
func (st *Step) Evaluate(resp *Response, vars Vars, dst []CheckResult) ([]CheckResult, error) {
	if resp == nil {
		resp = &Response{}
	}
	dst = st.checks.run(resp, st.checkNames, dst)
	if len(st.extractors) == 0 {
		return dst, nil
	}
	var errs []error
	for i := range st.extractors {
		e := &st.extractors[i]
		v, err := e.extract(resp)
		if err != nil {
			errs = append(errs, st.evaluationError(e.field, e.line, err))
			delete(vars, e.variable)
			continue
		}
		if vars == nil {
			errs = append(errs, st.evaluationError(e.field, e.line, errNilVars))
			continue
		}
		vars[e.variable] = v
	}
	return dst, joinErrors(errs)
}

var errNilVars = errors.New("Evaluate was given nil vars to store the value in")

// joinErrors is errors.Join, except that a single error is returned as is.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}
