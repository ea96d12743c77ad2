package dashboards

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// minSchemaVersion is the schemaVersion of Grafana 11 dashboards.
const minSchemaVersion = 39

// requiredVariables are the variables every stampede dashboard offers.
var requiredVariables = []string{"datasource", "namespace", "job", "run", "endpoint"}

// TestDashboardsAreWellFormed: each dashboard decodes, has a uid, title and a
// current schemaVersion; every panel queries the ${datasource} variable, has
// a unit and thresholds and targets with expr; every variable an expression
// uses is defined in templating; panel ids and uids are unique.
func TestDashboardsAreWellFormed(t *testing.T) {
	uids := map[string]string{}
	for _, file := range dashboardFiles {
		t.Run(file, func(t *testing.T) {
			d := loadDashboard(t, file)
			if d.UID == "" || d.Title == "" {
				t.Errorf("uid %q, title %q: both must be set", d.UID, d.Title)
			}
			if other, dup := uids[d.UID]; dup {
				t.Errorf("uid %q also used by %s", d.UID, other)
			}
			uids[d.UID] = file
			if d.SchemaVersion < minSchemaVersion {
				t.Errorf("schemaVersion %d, want at least %d", d.SchemaVersion, minSchemaVersion)
			}

			defined := map[string]bool{}
			for _, v := range d.Templating.List {
				defined[v.Name] = true
				if v.Type == "query" && (v.Datasource == nil || v.Datasource.UID != "${datasource}") {
					t.Errorf("variable %s: datasource %+v, want uid ${datasource}", v.Name, v.Datasource)
				}
				if v.Type == "query" && v.Definition != v.queryText() {
					t.Errorf("variable %s: definition %q differs from its query %q", v.Name, v.Definition, v.queryText())
				}
				if v.Type == "datasource" && v.queryText() != "prometheus" {
					t.Errorf("variable %s: data source type %q, want prometheus (no plugin)", v.Name, v.queryText())
				}
			}
			for _, name := range requiredVariables {
				if !defined[name] {
					t.Errorf("variable %s missing from templating", name)
				}
			}

			ids := map[int]bool{}
			panels := 0
			for _, p := range d.allPanels() {
				where := p.Title
				if ids[p.ID] || p.ID == 0 {
					t.Errorf("panel %q: id %d missing or not unique", where, p.ID)
				}
				ids[p.ID] = true
				if p.GridPos == nil {
					t.Errorf("panel %q: no gridPos", where)
				}
				if p.Type == "row" {
					continue
				}
				panels++
				if p.Title == "" || p.Description == "" {
					t.Errorf("panel %d: title %q and description must be set", p.ID, p.Title)
				}
				if p.Datasource == nil || p.Datasource.UID != "${datasource}" || p.Datasource.Type != "prometheus" {
					t.Errorf("panel %q: datasource %+v, want {prometheus ${datasource}}", where, p.Datasource)
				}
				if p.FieldConfig.Defaults.Unit == "" {
					t.Errorf("panel %q: no unit", where)
				}
				if p.Type != "heatmap" && (p.FieldConfig.Defaults.Thresholds == nil || len(p.FieldConfig.Defaults.Thresholds.Steps) == 0) {
					t.Errorf("panel %q: no thresholds", where)
				}
				if len(p.Targets) == 0 {
					t.Errorf("panel %q: no targets", where)
				}
				for _, tg := range p.Targets {
					if strings.TrimSpace(tg.Expr) == "" {
						t.Errorf("panel %q target %s: no expr", where, tg.RefID)
					}
					if tg.LegendFormat == "" {
						t.Errorf("panel %q target %s: no legendFormat", where, tg.RefID)
					}
					if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
						t.Errorf("panel %q target %s: datasource %+v, want uid ${datasource}", where, tg.RefID, tg.Datasource)
					}
				}
			}
			if panels == 0 {
				t.Fatal("no panels")
			}

			for _, e := range dashboardExpressions(t, file, d) {
				for _, name := range referencedVariables(e.expr) {
					if !defined[name] && !builtinVariables[name] {
						t.Errorf("%s: uses $%s, which templating does not define", e.where, name)
					}
				}
			}
		})
	}
}

// TestOverviewShowsWhatTheIssueAsks: the overview has a panel for each
// thing the design lists, found by the metric its query reads.
func TestOverviewShowsWhatTheIssueAsks(t *testing.T) {
	d := loadDashboard(t, "stampede-overview.json")
	var exprs []string
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	all := strings.Join(exprs, "\n")
	for _, want := range []string{
		"rate(stampede_requests_total",  // RPS
		"stampede_request_errors_total", // error ratio
		"histogram_quantile(0.5, sum by (le, endpoint)", "histogram_quantile(0.9, sum by (le, endpoint)",
		"histogram_quantile(0.95, sum by (le, endpoint)", "histogram_quantile(0.99, sum by (le, endpoint)",
		"stampede_users{", "stampede_users_target{", // users vs target
		`stampede_controller_workers{state="live"`, "stampede_controller_desired_workers{", // live vs desired
		"stampede_worker_cpu_utilization{", "stampede_dropped_iterations_total{",
		"stampede_data_sent_bytes_total{", "stampede_data_received_bytes_total{",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no overview panel queries %s", want)
		}
	}
	// The saturation line of StampedeGeneratorSaturated on the CPU panel.
	raw, err := os.ReadFile("stampede-overview.json")
	if err != nil {
		t.Fatal(err)
	}
	var full struct {
		Panels []map[string]any `json:"panels"`
	}
	if err := json.Unmarshal(raw, &full); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range full.Panels {
		if p["title"] != "Worker CPU" {
			continue
		}
		fc, _ := json.Marshal(p["fieldConfig"])
		found = strings.Contains(string(fc), `"value":0.9`) && strings.Contains(string(fc), `"mode":"line"`)
	}
	if !found {
		t.Error(`the "Worker CPU" panel has no threshold line at 0.9`)
	}
}
