package scenario

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxWeight bounds task weights, so that their sum cannot overflow.
const maxWeight = 1_000_000

// Load reads and validates a scenario file; messages name the file as path.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse reads and validates a scenario from YAML; name is the file name used
// in messages ("" for an inline scenario). The error joins a *FieldError for
// every problem found.
func Parse(name string, data []byte) (*Scenario, error) {
	sum := sha256.Sum256(data)
	s := &Scenario{Source: name, Hash: hex.EncodeToString(sum[:])}
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	d := newDecoder(name)
	d.scenario(root, s)
	d.crossCheck(s)
	if err := d.err(); err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = defaultName(name)
	}
	return s, nil
}

// defaultName names an unnamed scenario after its file: todo.yaml -> todo.
func defaultName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if file == "" || base == "" || base == "." {
		return "scenario"
	}
	return base
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses exactly one YAML document holding a mapping.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: name, Msg: "empty scenario (want a mapping with name, tasks, ...)"}
		}
		return nil, syntaxError(name, data, err)
	}
	// Only empty documents may follow, such as the one a trailing --- starts.
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(name, data, err)
		}
		if len(next.Content) != 1 || !isNull(next.Content[0]) {
			return nil, &FieldError{File: name, Line: next.Line, Msg: "a second YAML document (---); a scenario is one document"}
		}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if r := resolve(root); r == nil || r.Kind != yaml.MappingNode {
		return nil, &FieldError{File: name, Line: lineOf(root), Msg: fmt.Sprintf("a scenario is a mapping with name, tasks, ...; got %s", describe(r))}
	}
	return root, nil
}

// syntaxError keeps yaml's line. yaml.v3 leaves the line out of messages
// about the first line, and about unknown anchors, which are looked up here.
func syntaxError(name string, data []byte, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1
	if anchor, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		anchor, _, _ = strings.Cut(anchor, "'")
		line = 0
		if i := bytes.Index(data, []byte("*"+anchor)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	return &FieldError{File: name, Line: line, Msg: "invalid YAML: " + msg}
}

func (d *decoder) scenario(n *yaml.Node, s *Scenario) {
	f, ok := d.fields(n, "", "name", "base_url", "think_time", "tasks", "thresholds", "stages", extensionFields)
	if !ok {
		return
	}
	if v := f["name"]; !isNull(v) {
		s.Name, _ = d.str(v, "name")
	}
	if v := f["base_url"]; !isNull(v) {
		if u, ok := d.str(v, "base_url"); ok {
			norm, err := normalizeBaseURL(u)
			if err != nil {
				d.add(lineOf(v), "base_url", "%v", err)
			}
			s.BaseURL = norm
		}
	}
	s.ThinkTime = d.thinkTime(f["think_time"], "think_time")
	if isNull(f["tasks"]) {
		d.add(n.Line, "tasks", "missing: a scenario needs at least one task")
	} else if items, ok := d.list(f["tasks"], "tasks"); ok {
		if len(items) == 0 {
			d.add(lineOf(f["tasks"]), "tasks", "empty: a scenario needs at least one task")
		}
		for i, item := range items {
			if t := d.task(item, fieldIndex("tasks", i), s.Source, i); t != nil {
				s.Tasks = append(s.Tasks, t)
			}
		}
	}
	if v := f["thresholds"]; !isNull(v) {
		if items, ok := d.list(v, "thresholds"); ok {
			for i, item := range items {
				if t, ok := d.threshold(item, fieldIndex("thresholds", i)); ok {
					s.Thresholds = append(s.Thresholds, t)
				}
			}
		}
	}
	if v := f["stages"]; !isNull(v) {
		s.Stages = d.stages(v, "stages")
	}
}

func (d *decoder) task(n *yaml.Node, field, source string, index int) *Task {
	f, ok := d.fields(n, field, "name", "weight", "think_time", "steps")
	if !ok {
		return nil
	}
	t := &Task{Name: "task" + strconv.Itoa(index+1), Weight: 1, nameLine: n.Line}
	if v := f["name"]; !isNull(v) {
		if name, ok := d.str(v, field+".name"); ok && name != "" {
			t.Name, t.nameLine = name, lineOf(v)
		}
	}
	if v := f["weight"]; !isNull(v) {
		if w, ok := d.integer(v, field+".weight"); ok {
			if w < 1 || w > maxWeight {
				d.add(lineOf(v), field+".weight", "%d is out of range (want 1 to %d)", w, maxWeight)
			} else {
				t.Weight = w
			}
		}
	}
	t.ThinkTime = d.thinkTime(f["think_time"], field+".think_time")
	if isNull(f["steps"]) {
		d.add(n.Line, field+".steps", "missing: a task needs at least one step")
		return t
	}
	items, ok := d.list(f["steps"], field+".steps")
	if !ok {
		return t
	}
	if len(items) == 0 {
		d.add(lineOf(f["steps"]), field+".steps", "empty: a task needs at least one step")
	}
	for i, item := range items {
		if st := d.step(item, fieldIndex(field+".steps", i), source); st != nil {
			t.Steps = append(t.Steps, st)
		}
	}
	return t
}

func (d *decoder) step(n *yaml.Node, field, source string) *Step {
	f, ok := d.fields(n, field, "name", "request", "extract", "check", "think_time")
	if !ok {
		return nil
	}
	st := &Step{source: source, field: field, line: n.Line, Method: "GET"}
	if v := f["name"]; isNull(v) {
		d.add(n.Line, field+".name", "missing: each step needs a name, the endpoint label of its metrics (e.g. /todo/[id])")
	} else if st.Name, ok = d.str(v, field+".name"); ok && strings.TrimSpace(st.Name) == "" {
		d.add(lineOf(v), field+".name", "empty: each step needs a name, the endpoint label of its metrics")
	}
	if v := f["request"]; isNull(v) {
		d.add(n.Line, field+".request", "missing")
	} else {
		d.request(v, field+".request", st)
	}
	if v := f["extract"]; !isNull(v) {
		st.extractors = d.extractors(v, field+".extract")
	}
	if v := f["check"]; !isNull(v) {
		st.checks = d.checks(v, field+".check")
	}
	st.ThinkTime = d.thinkTime(f["think_time"], field+".think_time")
	st.checkNames = st.checks.names()
	st.needsBody = len(st.checks.json) > 0 || st.checks.hasBodyContains
	for _, e := range st.extractors {
		if e.from != fromHeader {
			st.needsBody = true
		}
	}
	return st
}

// crossCheck validates what involves several parts of the scenario: task
// names, threshold endpoints and the variables templates read.
func (d *decoder) crossCheck(s *Scenario) {
	firstLine := make(map[string]int)
	stepNames := make(map[string]bool)
	var names []string
	for i, t := range s.Tasks {
		if first, dup := firstLine[t.Name]; dup {
			d.add(t.nameLine, fieldIndex("tasks", i)+".name", "duplicate task name %q (first at line %d)", t.Name, first)
		} else {
			firstLine[t.Name] = t.nameLine
		}
		for _, st := range t.Steps {
			if !stepNames[st.Name] {
				stepNames[st.Name] = true
				names = append(names, st.Name)
			}
		}
	}
	for i, th := range s.Thresholds {
		if th.Endpoint != "" && !stepNames[th.Endpoint] && len(names) > 0 {
			d.add(th.Line, fieldIndex("thresholds", i)+".endpoint", "%q is not a step name (steps: %s)", th.Endpoint, strings.Join(names, ", "))
		}
	}
	extracted := make([]string, 0, len(d.extracted))
	for name := range d.extracted {
		extracted = append(extracted, name)
	}
	slices.Sort(extracted)
	for _, ref := range d.varRefs {
		if d.extracted[ref.name] {
			continue
		}
		if len(extracted) == 0 {
			d.add(ref.line, ref.field, "variable %q is never extracted (no step has extract:)", ref.name)
		} else {
			d.add(ref.line, ref.field, "variable %q is never extracted (extracted: %s)", ref.name, strings.Join(extracted, ", "))
		}
	}
}
