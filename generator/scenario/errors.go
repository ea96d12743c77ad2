package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// FieldError is one problem with a scenario, located by file, line and field
// path, e.g.
//
//	todo.yaml:14: tasks[0].steps[2].request.method: "GETT" is not an HTTP method
//
// Parse and Load return every problem they find, joined with errors.Join;
// errors.As finds the first one. NewRequest and Evaluate return a FieldError
// too, locating the template or extractor that failed.
type FieldError struct {
	File  string // the scenario's file name; "" for an inline scenario
	Line  int    // 1-based; 0 when unknown
	Field string // the field path, e.g. tasks[0].steps[2].request.method; "" for the whole document
	Msg   string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ": ")
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects every FieldError of one Parse, so that a user sees all of
// them at once instead of fixing one per run.
type problems struct {
	file string
	list []*FieldError
}

func (p *problems) add(line int, field, format string, args ...any) {
	p.list = append(p.list, &FieldError{File: p.file, Line: line, Field: clipField(field), Msg: fmt.Sprintf(format, args...)})
}

// clipField shortens the paths of absurdly nested fields, which would
// otherwise make a message of kilobytes.
func clipField(field string) string {
	const keep = 80
	if len(field) <= 2*keep {
		return field
	}
	return field[:keep] + "..." + field[len(field)-keep:]
}

// err joins the problems in line order (unknown lines last), or returns nil.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *FieldError) int {
		return cmp.Compare(sortLine(a.Line), sortLine(b.Line))
	})
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func sortLine(line int) int {
	if line <= 0 {
		return int(^uint(0) >> 1)
	}
	return line
}

// plainKey matches map keys that read well after a dot in a field path.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// fieldKey appends a mapping key to a field path: tasks[0].name, or
// headers["X Odd"] for keys that would be ambiguous after a dot.
func fieldKey(parent, key string) string {
	if !plainKey.MatchString(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// fieldIndex appends a list index to a field path: tasks[0].
func fieldIndex(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// suggest helps with a misspelt field name: the closest known name when one is
// near, else the list of known names.
func suggest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf("; did you mean %q?", k)
		}
		if d := editDistance(strings.ToLower(name), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return " (want one of: " + strings.Join(known, ", ") + ")"
}

// editDistance is the Levenshtein distance, used only on short field names.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
