package scenario

import (
	"fmt"
	"net/textproto"
	"regexp"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
	"gopkg.in/yaml.v3"
)

// extractSource is where an extractor reads its value.
type extractSource int

const (
	fromJSON extractSource = iota
	fromHeader
	fromRegex
)

// extractor stores one value of a response into a user variable.
type extractor struct {
	variable string
	from     extractSource
	path     string         // fromJSON: gjson path
	header   string         // fromHeader: canonical header name
	re       *regexp.Regexp // fromRegex: the value is the first capture group
	field    string
	line     int
}

// extract returns the value, or an error naming the source that failed.
func (e *extractor) extract(resp *Response) (string, error) {
	switch e.from {
	case fromHeader:
		values := resp.Header[e.header]
		if len(values) == 0 {
			return "", fmt.Errorf("header %q is not in the response", e.header)
		}
		return values[0], nil
	case fromRegex:
		m := e.re.FindSubmatch(resp.Body)
		if m == nil {
			return "", fmt.Errorf("regex %q does not match the response body", e.re.String())
		}
		return string(m[1]), nil
	default:
		r := gjson.GetBytes(resp.Body, e.path)
		if !r.Exists() {
			if len(resp.Body) == 0 {
				return "", fmt.Errorf("json path %q: the response body is empty", e.path)
			}
			return "", fmt.Errorf("json path %q is not in the response body", e.path)
		}
		return r.String(), nil
	}
}

// identifier is what a variable name must look like to be used as {{ .name }}.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// extractors reads `extract:`, a mapping from variable name to a JSON path
// (shorthand) or {from: json|header|regex, path|name|pattern: ...}.
func (d *decoder) extractors(n *yaml.Node, field string) []extractor {
	r := resolve(n)
	if r.Kind != yaml.MappingNode {
		d.add(n.Line, field, "want a mapping of variable names to JSON paths, got %s", describe(r))
		return nil
	}
	var out []extractor
	for _, e := range d.entries(r, field) {
		path := fieldKey(field, e.name)
		if !identifier.MatchString(e.name) {
			d.add(e.key.Line, path, "%q cannot be a variable name (want letters, digits and _, not starting with a digit, so that {{ .name }} works)", e.name)
			continue
		}
		x, ok := d.extractor(e.value, path)
		if !ok {
			continue
		}
		x.variable, x.field, x.line = e.name, path, e.key.Line
		d.extracted[e.name] = true
		out = append(out, x)
	}
	// A fixed order, so that runs are reproducible and errors stable.
	slices.SortFunc(out, func(a, b extractor) int { return strings.Compare(a.variable, b.variable) })
	return out
}

func (d *decoder) extractor(n *yaml.Node, field string) (extractor, bool) {
	r := resolve(n)
	if r.Kind == yaml.ScalarNode {
		path, ok := d.str(n, field)
		if ok && path == "" {
			d.add(n.Line, field, "empty JSON path")
			return extractor{}, false
		}
		return extractor{from: fromJSON, path: path}, ok
	}
	f, ok := d.fields(n, field, "from", "path", "name", "pattern")
	if !ok {
		return extractor{}, false
	}
	from := "json"
	if !isNull(f["from"]) {
		if from, ok = d.str(f["from"], field+".from"); !ok {
			return extractor{}, false
		}
	}
	want := map[string]string{"json": "path", "header": "name", "regex": "pattern"}[from]
	if want == "" {
		d.add(lineOf(f["from"]), field+".from", "%q is not a source (want json, header or regex)", from)
		return extractor{}, false
	}
	valid := true
	for _, other := range []string{"path", "name", "pattern"} {
		if v, set := f[other]; set && other != want {
			d.add(lineOf(v), field+"."+other, "does not apply to from: %s (it takes %s)", from, want)
			valid = false
		}
	}
	v := f[want]
	if isNull(v) {
		d.add(n.Line, field+"."+want, "missing (from: %s needs %s)", from, want)
		return extractor{}, false
	}
	s, ok := d.str(v, field+"."+want)
	if !ok || !valid {
		return extractor{}, false
	}
	switch from {
	case "header":
		if !validToken(s) {
			d.add(v.Line, field+".name", "%q is not a header name", s)
			return extractor{}, false
		}
		return extractor{from: fromHeader, header: textproto.CanonicalMIMEHeaderKey(s)}, true
	case "regex":
		re, err := regexp.Compile(s)
		if err != nil {
			d.add(v.Line, field+".pattern", "bad regex: %v", err)
			return extractor{}, false
		}
		if re.NumSubexp() == 0 {
			d.add(v.Line, field+".pattern", "regex %q has no capture group; the value is the first group, e.g. id=(\\d+)", s)
			return extractor{}, false
		}
		return extractor{from: fromRegex, re: re}, true
	default:
		if s == "" {
			d.add(v.Line, field+".path", "empty JSON path")
			return extractor{}, false
		}
		return extractor{from: fromJSON, path: s}, true
	}
}

// validToken reports whether s is an HTTP token (RFC 9110), as header names
// and methods must be.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// evaluationError locates an extraction failure for the engine's logs.
func (st *Step) evaluationError(field string, line int, err error) error {
	return &FieldError{File: st.source, Line: line, Field: field, Msg: fmt.Sprintf("step %q: %v", st.Name, err)}
}
