package scenario

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"gopkg.in/yaml.v3"
)

// checks are a step's assertions on its response, run in the order of
// CheckNames: status, json:<path> sorted by path, body_contains.
type checks struct {
	status          []int
	json            []jsonCheck
	bodyContains    string
	hasBodyContains bool
}

// jsonCheck asserts on the value at a gjson path of the response body:
// that it exists (or not), or that it equals a scalar.
type jsonCheck struct {
	path   string
	equals *scalar // nil: an exists check
	exists bool
}

// scalar is a YAML scalar compared with a JSON value: types must match
// (the number 5 does not equal the string "5").
type scalar struct {
	kind gjson.Type // gjson.String, Number, True, False or Null
	str  string
	num  float64
	text string // as written, for messages
}

func (s *scalar) matches(r gjson.Result) bool {
	switch s.kind {
	case gjson.String:
		return r.Type == gjson.String && r.Str == s.str
	case gjson.Number:
		return r.Type == gjson.Number && r.Num == s.num
	case gjson.Null:
		return r.Type == gjson.Null && r.Exists()
	default:
		return r.Type == s.kind
	}
}

func (d *decoder) checks(n *yaml.Node, field string) checks {
	var c checks
	f, ok := d.fields(n, field, "status", "json", "body_contains")
	if !ok {
		return c
	}
	if v := f["status"]; !isNull(v) {
		c.status = d.statusCodes(v, field+".status")
	}
	if v := f["json"]; !isNull(v) {
		c.json = d.jsonChecks(v, field+".json")
	}
	if v := f["body_contains"]; !isNull(v) {
		s, ok := d.str(v, field+".body_contains")
		if ok && s == "" {
			d.add(lineOf(v), field+".body_contains", "empty string (it would always pass)")
		}
		c.bodyContains, c.hasBodyContains = s, true
	}
	return c
}

func (d *decoder) statusCodes(n *yaml.Node, field string) []int {
	items := []*yaml.Node{n}
	if r := resolve(n); r.Kind == yaml.SequenceNode {
		items = r.Content
		if len(items) == 0 {
			d.add(n.Line, field, "empty list of status codes")
			return nil
		}
	}
	var codes []int
	for i, item := range items {
		path := field
		if len(items) > 1 || resolve(n).Kind == yaml.SequenceNode {
			path = fieldIndex(field, i)
		}
		code, ok := d.integer(item, path)
		if !ok {
			continue
		}
		if code < 100 || code > 599 {
			d.add(lineOf(item), path, "%d is not an HTTP status (want 100 to 599)", code)
			continue
		}
		codes = append(codes, code)
	}
	return codes
}

func (d *decoder) jsonChecks(n *yaml.Node, field string) []jsonCheck {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		d.add(n.Line, field, "want a mapping of JSON paths to {exists: bool} or {equals: value}, got %s", describe(r))
		return nil
	}
	var out []jsonCheck
	for _, e := range d.entries(r, field) {
		path := fieldKey(field, e.name)
		if e.name == "" {
			d.add(e.key.Line, path, "empty JSON path")
			continue
		}
		f, ok := d.fields(e.value, path, "exists", "equals")
		if !ok {
			continue
		}
		if len(f) != 1 {
			d.add(lineOf(e.value), path, "want exactly one of exists or equals")
			continue
		}
		check := jsonCheck{path: e.name}
		if v, set := f["exists"]; set {
			if check.exists, ok = d.boolean(v, path+".exists"); !ok {
				continue
			}
		} else if check.equals, ok = d.scalar(f["equals"], path+".equals"); !ok {
			continue
		}
		out = append(out, check)
	}
	slices.SortFunc(out, func(a, b jsonCheck) int { return strings.Compare(a.path, b.path) })
	return out
}

func (d *decoder) scalar(n *yaml.Node, field string) (*scalar, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode {
		d.add(lineOf(n), field, "want a string, number, boolean or null, got %s", describe(r))
		return nil, false
	}
	s := &scalar{text: r.Value}
	switch r.ShortTag() {
	case "!!null":
		s.kind, s.text = gjson.Null, "null"
	case "!!bool":
		var b bool
		if r.Decode(&b) != nil {
			d.add(n.Line, field, "%q is not true or false", r.Value)
			return nil, false
		}
		s.kind = gjson.False
		if b {
			s.kind = gjson.True
		}
	case "!!int", "!!float":
		if _, ok := d.number(n, field); !ok {
			return nil, false
		}
		_ = r.Decode(&s.num)
		s.kind = gjson.Number
	default:
		s.kind, s.str, s.text = gjson.String, r.Value, strconv.Quote(r.Value)
	}
	return s, true
}

// CheckResult is the outcome of one check of a response.
type CheckResult struct {
	Name   string // as in CheckNames
	Passed bool
	Detail string // why it failed, e.g. "status 500, want 201"; "" when it passed
}

// checkNames lists the names of the checks in evaluation order.
func (c *checks) names() []string {
	var out []string
	if len(c.status) > 0 {
		out = append(out, "status")
	}
	for _, j := range c.json {
		out = append(out, "json:"+j.path)
	}
	if c.hasBodyContains {
		out = append(out, "body_contains")
	}
	return out
}

// run appends one result per check, in the order of names. Details are only
// formatted for failures, to keep the passing path cheap.
func (c *checks) run(resp *Response, names []string, dst []CheckResult) []CheckResult {
	i := 0
	if len(c.status) > 0 {
		r := CheckResult{Name: names[i], Passed: slices.Contains(c.status, resp.Status)}
		if !r.Passed {
			r.Detail = statusDetail(resp.Status, c.status)
		}
		dst = append(dst, r)
		i++
	}
	for _, j := range c.json {
		v := gjson.GetBytes(resp.Body, j.path)
		r := CheckResult{Name: names[i]}
		switch {
		case j.equals != nil:
			r.Passed = j.equals.matches(v)
			if !r.Passed && !v.Exists() {
				r.Detail = fmt.Sprintf("json %s is missing, want %s", j.path, j.equals.text)
			} else if !r.Passed {
				r.Detail = fmt.Sprintf("json %s = %s, want %s", j.path, clip(v.Raw), j.equals.text)
			}
		case j.exists:
			if r.Passed = v.Exists(); !r.Passed {
				r.Detail = fmt.Sprintf("json %s is missing", j.path)
			}
		default:
			if r.Passed = !v.Exists(); !r.Passed {
				r.Detail = fmt.Sprintf("json %s = %s, want it absent", j.path, clip(v.Raw))
			}
		}
		dst = append(dst, r)
		i++
	}
	if c.hasBodyContains {
		r := CheckResult{Name: names[i], Passed: bytes.Contains(resp.Body, []byte(c.bodyContains))}
		if !r.Passed {
			r.Detail = fmt.Sprintf("body does not contain %q", c.bodyContains)
		}
		dst = append(dst, r)
	}
	return dst
}

func statusDetail(got int, want []int) string {
	g := "no response"
	if got != 0 {
		g = "status " + strconv.Itoa(got)
	}
	if len(want) == 1 {
		return fmt.Sprintf("%s, want %d", g, want[0])
	}
	return fmt.Sprintf("%s, want one of %v", g, want)
}

// clip shortens a JSON value quoted in a message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
