package dashboards

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// labelValuesQuery is a Grafana variable query label_values(selector, label);
// its selector is PromQL.
var labelValuesQuery = regexp.MustCompile(`^\s*label_values\(\s*(.*?)\s*,\s*\w+\s*\)\s*$`)

// expression is one PromQL expression and where it comes from.
type expression struct {
	where string
	expr  string
}

// dashboardExpressions are the PromQL of every panel target and every
// label_values variable query of a dashboard.
func dashboardExpressions(t *testing.T, file string, d *dashboard) []expression {
	t.Helper()
	var out []expression
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			out = append(out, expression{fmt.Sprintf("%s: panel %d %q target %s", file, p.ID, p.Title, tg.RefID), tg.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q := v.queryText()
		m := labelValuesQuery.FindStringSubmatch(q)
		if m == nil {
			t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", file, v.Name, q)
			continue
		}
		out = append(out, expression{fmt.Sprintf("%s: variable %s", file, v.Name), m[1]})
	}
	return out
}

// ruleExpressions are the PromQL of every rule.
func ruleExpressions(rules []rule) []expression {
	out := make([]expression, 0, len(rules))
	for _, r := range rules {
		out = append(out, expression{rulesFile + ": " + r.name(), r.Expr})
	}
	return out
}

// allExpressions are the dashboards' and the rules' PromQL.
func allExpressions(t *testing.T) []expression {
	t.Helper()
	out := ruleExpressions(loadRules(t, rulesFile))
	for _, f := range dashboardFiles {
		out = append(out, dashboardExpressions(t, f, loadDashboard(t, f))...)
	}
	return out
}

// seriesNames are the metric names the expression selects.
func seriesNames(e parser.Expr) []string {
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs.Name)
		}
		return nil
	})
	return out
}

// TestExpressionsParse: every PromQL expression of every panel, variable
// and rule parses, Grafana's variables substituted.
func TestExpressionsParse(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	exprs := allExpressions(t)
	if len(exprs) < 40 {
		t.Fatalf("only %d expressions found: the dashboards or rules did not load as expected", len(exprs))
	}
	for _, e := range exprs {
		if strings.TrimSpace(e.expr) == "" {
			t.Errorf("%s: empty expression", e.where)
			continue
		}
		if _, err := p.ParseExpr(substituteVariables(e.expr)); err != nil {
			t.Errorf("%s: %v\n\t%s", e.where, err, e.expr)
		}
	}
}

// TestExpressionsNameExposedMetrics: every series an expression selects is
// one stampede exposes (read from the code) or one rules.yaml records, so a
// renamed metric fails here before it empties a panel or silences an alert.
func TestExpressionsNameExposedMetrics(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	exposed := exposedSeries(t)
	recorded := recordedNames(loadRules(t, rulesFile))
	used := map[string]bool{}
	for _, e := range allExpressions(t) {
		ast, err := p.ParseExpr(substituteVariables(e.expr))
		if err != nil {
			continue // TestExpressionsParse reports it
		}
		names := seriesNames(ast)
		if len(names) == 0 && !strings.Contains(e.expr, "vector(") {
			t.Errorf("%s: selects no metric by name\n\t%s", e.where, e.expr)
		}
		for _, name := range names {
			used[name] = true
			switch {
			case name == "":
				t.Errorf("%s: a selector without a metric name\n\t%s", e.where, e.expr)
			case strings.Contains(name, ":"):
				if !recorded[name] {
					t.Errorf("%s: %s is recorded by no rule of %s", e.where, name, rulesFile)
				}
			case !exposed[name]:
				t.Errorf("%s: %s is not a metric stampede exposes (metrics/names.go, controller/metrics.go)", e.where, name)
			}
		}
	}
	for name := range recorded {
		if !used[name] {
			t.Errorf("%s: %s is recorded but used by no rule or panel", rulesFile, name)
		}
	}
}

// TestMetricCheckCatchesUnknownNames: the check above is not vacuous.
func TestMetricCheckCatchesUnknownNames(t *testing.T) {
	exposed := exposedSeries(t)
	for _, name := range []string{"stampede_requests_total", "stampede_request_duration_seconds_bucket", "stampede_controller_workers", "stampede_controller_heartbeat_duration_seconds_count"} {
		if !exposed[name] {
			t.Errorf("%s missing from the exposed names", name)
		}
	}
	for _, name := range []string{"stampede_request_total", "stampede_request_duration_seconds", "stampede_controller_workers_live"} {
		if exposed[name] {
			t.Errorf("%s among the exposed names", name)
		}
	}
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(`sum(rate(a[1m])) / on() group_left() b:c:d`)
	if err != nil {
		t.Fatal(err)
	}
	if got := seriesNames(ast); !slices.Equal(got, []string{"a", "b:c:d"}) {
		t.Errorf("seriesNames = %v", got)
	}
}
