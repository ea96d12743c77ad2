package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds how many YAML nodes one Parse visits, counting every
// expansion of an alias, so that a small file of nested aliases (a "billion
// laughs") cannot make the loader run out of memory.
const maxNodes = 1 << 20

// decoder walks a yaml.Node tree into the model. It reports problems instead
// of stopping at the first, so that a user sees every mistake at once.
type decoder struct {
	problems
	budget int
	// expanding holds the mappings and lists being walked recursively (JSON
	// bodies, merge keys), so that an alias to an enclosing node is reported
	// instead of recursing forever.
	expanding map[*yaml.Node]bool
	// varRefs lists the variables templates use; extracted the variables steps
	// extract. Parse checks the first against the second once all is read.
	varRefs   []varRef
	extracted map[string]bool
}

type varRef struct {
	name  string
	field string
	line  int
}

func newDecoder(file string) *decoder {
	return &decoder{
		problems:  problems{file: file},
		budget:    maxNodes,
		expanding: make(map[*yaml.Node]bool),
		extracted: make(map[string]bool),
	}
}

// spend charges one visited node against the budget; false means stop.
func (d *decoder) spend(n *yaml.Node, field string) bool {
	if d.budget <= 0 {
		return false
	}
	d.budget--
	if d.budget == 0 {
		d.add(n.Line, field, "the document is too large once its aliases are expanded (more than %d nodes)", maxNodes)
		return false
	}
	return true
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether a field is absent or explicitly null (`key:` or `key: ~`).
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for messages: "a mapping", "a list", `"abc"`.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.DocumentNode:
		return "a document"
	case isNull(n):
		return "null"
	case len(n.Value) > 64:
		return fmt.Sprintf("%q...", n.Value[:64])
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

type entry struct {
	name       string
	key, value *yaml.Node
}

// entries lists a mapping's keys and values in order, with merge keys (<<)
// applied as YAML defines them (explicit keys win, then earlier merged maps)
// and duplicate keys reported.
func (d *decoder) entries(n *yaml.Node, field string) []entry {
	n = resolve(n)
	var out []entry
	var merged []entry
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if !d.spend(key, field) {
			return out
		}
		k := resolve(key)
		if k.Kind != yaml.ScalarNode {
			d.add(key.Line, field, "a field name must be a string, got %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, d.mergeSources(value, field)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(key.Line, fieldKey(field, k.Value), "duplicate field (first at line %d)", out[first].key.Line)
			continue
		}
		seen[k.Value] = len(out)
		out = append(out, entry{name: k.Value, key: key, value: value})
	}
	for _, e := range merged {
		if _, ok := seen[e.name]; !ok {
			seen[e.name] = len(out)
			out = append(out, e)
		}
	}
	return out
}

// mergeSources returns the entries a merge key (<<) brings in, from a mapping
// or a list of mappings, the first of the list taking precedence.
func (d *decoder) mergeSources(v *yaml.Node, field string) []entry {
	r := resolve(v)
	switch {
	case r != nil && r.Kind == yaml.MappingNode:
		return d.mergeMapping(r, field)
	case r != nil && r.Kind == yaml.SequenceNode:
		var out []entry
		for _, item := range r.Content {
			m := resolve(item)
			if m == nil || m.Kind != yaml.MappingNode {
				d.add(item.Line, field, "<< merges a mapping or a list of mappings, got %s", describe(m))
				continue
			}
			out = append(out, d.mergeMapping(m, field)...)
		}
		return out
	default:
		d.add(v.Line, field, "<< merges a mapping or a list of mappings, got %s", describe(r))
		return nil
	}
}

func (d *decoder) mergeMapping(m *yaml.Node, field string) []entry {
	if d.expanding[m] {
		d.add(m.Line, field, "<< merges a mapping into itself")
		return nil
	}
	d.expanding[m] = true
	defer delete(d.expanding, m)
	return d.entries(m, field)
}

// extensionFields, among the known names of fields, lets a mapping hold any
// field named x-..., ignored, to define YAML anchors in (as docker-compose
// does): x-auth: &auth {Authorization: "Bearer {{ env \"TOKEN\" }}"}.
const extensionFields = "x-*"

// fields reads a mapping with a fixed set of field names, reporting unknown
// ones. ok is false (and the problem reported) when n is not a mapping.
func (d *decoder) fields(n *yaml.Node, field string, known ...string) (map[string]*yaml.Node, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.MappingNode {
		d.add(lineOf(n), field, "want a mapping, got %s", describe(r))
		return nil, false
	}
	out := make(map[string]*yaml.Node, len(known))
	for _, e := range d.entries(r, field) {
		extension := strings.HasPrefix(e.name, "x-") && slices.Contains(known, extensionFields)
		if extension {
			continue
		}
		if !slices.Contains(known, e.name) {
			d.add(e.key.Line, fieldKey(field, e.name), "unknown field%s", suggest(e.name, known))
			continue
		}
		out[e.name] = e.value
	}
	return out, true
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// str reads a scalar as text; numbers and booleans are taken as written.
func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode {
		d.add(lineOf(n), field, "want a string, got %s", describe(r))
		return "", false
	}
	if isNull(r) {
		return "", true
	}
	return r.Value, true
}

// integer reads an integer; a quoted one ("200") is accepted too.
func (d *decoder) integer(n *yaml.Node, field string) (int, bool) {
	r := resolve(n)
	var v int
	var err error
	switch {
	case r == nil || r.Kind != yaml.ScalarNode:
		err = errNotScalar
	case r.ShortTag() == "!!str":
		v, err = strconv.Atoi(strings.TrimSpace(r.Value))
	case r.ShortTag() == "!!int":
		err = r.Decode(&v)
	default:
		err = errNotScalar
	}
	if err != nil {
		d.add(lineOf(n), field, "%s is not an integer", describe(r))
		return 0, false
	}
	return v, true
}

var errNotScalar = errors.New("not a scalar of the wanted type")

// number reads a finite number; a quoted one ("0.5") is accepted too.
func (d *decoder) number(n *yaml.Node, field string) (float64, bool) {
	r := resolve(n)
	var v float64
	var err error
	switch {
	case r == nil || r.Kind != yaml.ScalarNode:
		err = errNotScalar
	case r.ShortTag() == "!!str":
		v, err = strconv.ParseFloat(strings.TrimSpace(r.Value), 64)
	case r.ShortTag() == "!!int" || r.ShortTag() == "!!float":
		err = r.Decode(&v)
	default:
		err = errNotScalar
	}
	if err != nil {
		d.add(lineOf(n), field, "%s is not a number", describe(r))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.add(lineOf(n), field, "%s is not a finite number", describe(r))
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	r := resolve(n)
	var v bool
	if r == nil || r.Kind != yaml.ScalarNode || r.ShortTag() != "!!bool" || r.Decode(&v) != nil {
		d.add(lineOf(n), field, "%s is not true or false", describe(r))
		return false, false
	}
	return v, true
}

// duration reads a Go duration (time.ParseDuration), which must not be negative.
func (d *decoder) duration(n *yaml.Node, field string) (time.Duration, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.ScalarNode || isNull(r) {
		d.add(lineOf(n), field, "want a duration such as 500ms, 2s or 1m30s, got %s", describe(r))
		return 0, false
	}
	v, err := time.ParseDuration(r.Value)
	if err != nil {
		d.add(lineOf(n), field, "%q is not a duration (want e.g. 500ms, 2s, 1m30s)", r.Value)
		return 0, false
	}
	if v < 0 {
		d.add(lineOf(n), field, "%q is negative", r.Value)
		return 0, false
	}
	return v, true
}

// list reads a YAML list.
func (d *decoder) list(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	r := resolve(n)
	if r == nil || r.Kind != yaml.SequenceNode {
		d.add(lineOf(n), field, "want a list, got %s", describe(r))
		return nil, false
	}
	return r.Content, true
}
