// Package dashboards holds stampede's Grafana dashboards
// (stampede-overview.json, stampede-endpoint.json) and Prometheus rules
// (rules.yaml: recording rules and alerts, runbooks in docs/alerts.md), and
// the tests that treat them like code: every PromQL expression of every
// panel, variable and rule parses with Grafana's variables substituted and
// names only metrics that stampede exposes or rules.yaml records; the
// dashboards are well-formed; `promtool check rules` passes; and
// `promtool test rules` runs fixtures in testdata/ that fire and that do not
// fire each alert. Its one Go API is Files, the embedded copies the binary
// hands to a Prometheus it starts.
package dashboards
