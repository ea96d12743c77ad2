package dashboards

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// runbookBase is where every runbook_url must point.
const runbookBase = "https://github.com/stampedehq/stampede/blob/main/docs/alerts.md#"

// markdownHeading is a "## Title" line of the runbooks.
var markdownHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)

// githubAnchor is the anchor GitHub gives a heading: lower case, spaces to
// dashes, punctuation other than - and _ dropped.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestGithubAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"StampedeNoTraffic":           "stampedenotraffic",
		"Why these burn-rate windows": "why-these-burn-rate-windows",
		"Rules and dashboards":        "rules-and-dashboards",
	} {
		if got := githubAnchor(in); got != want {
			t.Errorf("githubAnchor(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAlertsAreDocumented: every alert has a severity, a for, a summary, a
// description and a runbook_url pointing to its own section of
// docs/alerts.md; every alert section there belongs to an alert.
func TestAlertsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(alertsDoc)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range markdownHeading.FindAllStringSubmatch(string(doc), -1) {
		anchors[githubAnchor(m[1])] = true
	}
	names := map[string]bool{}
	for _, a := range alerts(loadRules(t, rulesFile)) {
		names[a.Alert] = true
		t.Run(a.Alert, func(t *testing.T) {
			if !strings.HasPrefix(a.Alert, "Stampede") {
				t.Errorf("alert name %q: want the Stampede prefix", a.Alert)
			}
			switch a.Labels["severity"] {
			case "critical", "warning":
			default:
				t.Errorf("severity %q, want critical or warning", a.Labels["severity"])
			}
			if d, err := model.ParseDuration(a.For); err != nil || time.Duration(d) <= 0 {
				t.Errorf("for %q: want a duration, so one bad evaluation does not fire it", a.For)
			}
			for _, key := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(a.Annotations[key]) == "" {
					t.Errorf("annotation %s missing", key)
				}
			}
			url := a.Annotations["runbook_url"]
			anchor, ok := strings.CutPrefix(url, runbookBase)
			if !ok {
				t.Fatalf("runbook_url %q: want %s<section>", url, runbookBase)
			}
			if anchor != githubAnchor(a.Alert) {
				t.Errorf("runbook_url anchor %q, want the alert's own section #%s", anchor, githubAnchor(a.Alert))
			}
			if !anchors[anchor] {
				t.Errorf("runbook_url anchor #%s: no such heading in %s", anchor, alertsDoc)
			}
			for _, part := range []string{"**Meaning.**", "**Why it matters.**", "**What to do.**"} {
				if !strings.Contains(section(string(doc), a.Alert), part) {
					t.Errorf("%s section %s has no %s", alertsDoc, a.Alert, part)
				}
			}
		})
	}
	for _, m := range regexp.MustCompile(`(?m)^## (Stampede\w+)$`).FindAllStringSubmatch(string(doc), -1) {
		if !names[m[1]] {
			t.Errorf("%s documents %s, which %s does not define", alertsDoc, m[1], rulesFile)
		}
	}
}

// section is the text of the "## name" section of a Markdown document.
func section(doc, name string) string {
	_, rest, ok := strings.Cut(doc, "\n## "+name+"\n")
	if !ok {
		return ""
	}
	if end := strings.Index(rest, "\n## "); end >= 0 {
		return rest[:end]
	}
	return rest
}

// TestSLOParametersAreDocumented: the numbers a Helm chart will template are
// where docs/alerts.md says they are.
func TestSLOParametersAreDocumented(t *testing.T) {
	rules := loadRules(t, rulesFile)
	byName := map[string]rule{}
	for _, r := range rules {
		byName[r.name()] = r
	}
	doc, err := os.ReadFile(alertsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ rule, inExpr, inDoc string }{
		{"stampede:slo_error_budget:ratio", "1 - 0.999", "99.9%"},
		{"StampedeLatencySLOBreached", `{quantile="0.95"} > 0.5`, "0.5s"},
		{"StampedeGeneratorSaturated", "> 0.9", "0.9"},
	} {
		if !strings.Contains(byName[tt.rule].Expr, tt.inExpr) {
			t.Errorf("%s: expr %q does not hold %q", tt.rule, byName[tt.rule].Expr, tt.inExpr)
		}
		if !strings.Contains(string(doc), tt.inDoc) {
			t.Errorf("%s does not document %s's %s", alertsDoc, tt.rule, tt.inDoc)
		}
	}
}
