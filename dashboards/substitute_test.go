package dashboards

import (
	"regexp"
	"strings"
	"testing"
)

// Grafana's variables in a PromQL expression, as Grafana writes them.
var (
	// $__rate_interval, ${__interval}, $__range and friends: durations.
	grafanaDuration = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)\}?`)
	// A regex matcher on a variable, which a multi-value or "All" variable
	// turns into a regex: =~"$endpoint", =~"${run:regex}".
	variableRegexMatch = regexp.MustCompile(`=~\s*"\$\{?\w+(:\w+)?\}?"`)
	// Any other reference: $run, ${run}, ${run:text}, [[run]].
	variableRef = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]`)
)

// builtinVariables are Grafana's own, defined in no dashboard.
var builtinVariables = map[string]bool{
	"__rate_interval": true, "__interval": true, "__interval_ms": true,
	"__range": true, "__range_s": true, "__range_ms": true,
}

// substituteVariables replaces Grafana's variables in expr with values the
// PromQL parser accepts: durations with 1m, regex matchers on a variable
// with ".*", any other variable with a plain value.
func substituteVariables(expr string) string {
	// Replacing "$$a" leaves "$value": repeat until nothing changes, at
	// most once per byte of the input.
	for range len(expr) + 1 {
		next := grafanaDuration.ReplaceAllString(expr, "1m")
		next = variableRegexMatch.ReplaceAllString(next, `=~".*"`)
		next = variableRef.ReplaceAllString(next, "value")
		if next == expr {
			break
		}
		expr = next
	}
	return expr
}

// referencedVariables are the names of the variables expr uses.
func referencedVariables(expr string) []string {
	var out []string
	for _, m := range variableRef.FindAllStringSubmatch(expr, -1) {
		for _, name := range m[1:] {
			if name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

func TestSubstituteVariables(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"rate interval", `rate(x[$__rate_interval])`, `rate(x[1m])`},
		{"braced interval", `rate(x[${__interval}])`, `rate(x[1m])`},
		{"range", `increase(x[$__range])`, `increase(x[1m])`},
		{"regex matcher", `x{endpoint=~"$endpoint"}`, `x{endpoint=~".*"}`},
		{"braced regex matcher", `x{run_id=~"${run}"}`, `x{run_id=~".*"}`},
		{"formatted regex matcher", `x{run_id=~"${run:regex}"}`, `x{run_id=~".*"}`},
		{"equality matcher", `x{run_id="$run"}`, `x{run_id="value"}`},
		{"braced", `x{job="${job}"}`, `x{job="value"}`},
		{"old style", `x{job="[[job]]"}`, `x{job="value"}`},
		{"in a number", `topk($n, x)`, `topk(value, x)`},
		{"none", `sum(x)`, `sum(x)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := substituteVariables(tt.in); got != tt.want {
				t.Errorf("substituteVariables(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReferencedVariables(t *testing.T) {
	got := strings.Join(referencedVariables(`x{a=~"$ns", b="${job}", c="${run:text}", d="[[old]]"}[$__rate_interval]`), ",")
	if want := "ns,job,run,old,__rate_interval"; got != want {
		t.Errorf("referencedVariables = %s, want %s", got, want)
	}
}

// FuzzSubstituteVariables: whatever the input, no variable reference is
// left for the parser to trip on.
func FuzzSubstituteVariables(f *testing.F) {
	for _, s := range []string{`rate(x{a=~"$a"}[$__rate_interval])`, `${b:regex}`, `[[c]]`, `$`, `=~"$"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		out := substituteVariables(expr)
		if refs := referencedVariables(out); len(refs) > 0 {
			t.Errorf("substituteVariables(%q) = %q still references %v", expr, out, refs)
		}
	})
}
