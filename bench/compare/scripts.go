package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// The scenarios and k6 scripts the harness generates into its temp dir, so
// stampede and k6 do the same work: the same requests, bodies, extraction
// and checks.

// scriptParams fill the templates below.
type scriptParams struct {
	Target      string // base URL, http://127.0.0.1:PORT
	Users       int    // VUs (closed model)
	Duration    time.Duration
	Rate        int // arrivals per second (open model)
	InFlight    int // k6 preAllocatedVUs (open model)
	SummaryPath string
}

var scriptFuncs = template.FuncMap{
	// js quotes a value as a JavaScript literal (JSON is valid JavaScript).
	"js": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// k6dur writes a duration the way k6 reads it ("10s", "1m30s").
	"k6dur": func(d time.Duration) string { return d.String() },
}

// The stampede scenarios take the target from --target.
const helloScenario = `name: hello
tasks:
  - name: hello
    steps:
      - name: /hello
        request: {method: GET, path: /hello}
`

// crudScenario is the flow of examples/todo-crud.yaml without think time.
const crudScenario = `name: todo-crud-no-think
tasks:
  - name: crud
    steps:
      - name: create
        request:
          method: POST
          path: /todo
          json: {Description: "{{ lorem 6 }}", Completed: false}
        extract:
          id: Id
        check:
          status: 201
          json: {Id: {exists: true}}
      - name: /todo/[id]
        request: {method: GET, path: "/todo/{{ .id }}"}
        check: {status: 200}
      - name: /todo/[id]
        request:
          method: PUT
          path: "/todo/{{ .id }}"
          json: {Id: "{{ .id }}", Description: "{{ lorem 4 }}", Completed: true}
        check:
          status: 200
          json: {Completed: {equals: true}}
      - name: /todo/[id]
        request: {method: DELETE, path: "/todo/{{ .id }}"}
        check: {status: 204}
`

// idleScenario is a user that mostly waits: one GET a second.
const idleScenario = `name: idle
think_time: {constant: 1s}
tasks:
  - name: hello
    steps:
      - name: /hello
        request: {method: GET, path: /hello}
`

// k6Summary is the tail of every measuring k6 script: the trend statistics
// the tables need, and the summary written as JSON (and nothing on stdout).
const k6Summary = `
export function handleSummary(data) {
  return { [{{js .SummaryPath}}]: JSON.stringify(data) };
}
`

const k6Options = `  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(95)', 'p(99)'],
`

const k6Raw = `import http from 'k6/http';

export const options = {
  vus: {{.Users}},
  duration: {{js (k6dur .Duration)}},
` + k6Options + `};

export default function () {
  http.get({{js .Target}} + '/hello');
}
` + k6Summary

// k6Crud does what crudScenario does. Requests to /todo/ID are tagged with
// one name, as stampede names them, so k6 keeps one series per step rather
// than one per URL.
const k6Crud = `import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: {{.Users}},
  duration: {{js (k6dur .Duration)}},
` + k6Options + `};

const base = {{js .Target}};
const json = { headers: { 'Content-Type': 'application/json' } };
const byId = { tags: { name: '/todo/[id]' } };
const byIdJSON = { headers: json.headers, tags: byId.tags };
const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod', 'tempor'];

function lorem(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(words[Math.floor(Math.random() * words.length)]);
  return out.join(' ');
}

export default function () {
  const created = http.post(base + '/todo', JSON.stringify({ Description: lorem(6), Completed: false }), json);
  const id = created.status === 201 ? created.json('Id') : undefined;
  check(created, { 'create status': (r) => r.status === 201, 'create json:Id': () => id !== undefined });
  if (id === undefined) return;
  const got = http.get(base + '/todo/' + id, byId);
  check(got, { 'get status': (r) => r.status === 200 });
  const put = http.put(base + '/todo/' + id, JSON.stringify({ Id: id, Description: lorem(4), Completed: true }), byIdJSON);
  check(put, { 'put status': (r) => r.status === 200, 'put json:Completed': (r) => r.status === 200 && r.json('Completed') === true });
  const del = http.del(base + '/todo/' + id, null, byId);
  check(del, { 'delete status': (r) => r.status === 204 });
}
` + k6Summary

// k6Open is k6's open model: a constant arrival rate with enough
// preallocated VUs that no arrival waits for one during a stall.
const k6Open = `import http from 'k6/http';

export const options = {
  scenarios: {
    open: {
      executor: 'constant-arrival-rate',
      rate: {{.Rate}},
      timeUnit: '1s',
      duration: {{js (k6dur .Duration)}},
      preAllocatedVUs: {{.InFlight}},
      maxVUs: {{.InFlight}},
    },
  },
` + k6Options + `};

export default function () {
  http.get({{js .Target}} + '/hello');
}
` + k6Summary

// k6Idle is k6's idle VU for the memory table: one GET, then sleep 1 s.
const k6Idle = `import http from 'k6/http';
import { sleep } from 'k6';

export const options = {
  vus: {{.Users}},
  duration: {{js (k6dur .Duration)}},
};

export default function () {
  http.get({{js .Target}} + '/hello');
  sleep(1);
}

export function handleSummary() {
  return {};
}
`

// renderScript fills text with p.
func renderScript(name, text string, p scriptParams) (string, error) {
	tmpl, err := template.New(name).Funcs(scriptFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, p); err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return b.String(), nil
}

// writeScript renders text with p into dir/name and returns its path.
func writeScript(dir, name, text string, p scriptParams) (string, error) {
	body, err := renderScript(name, text, p)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// writeFile writes a fixed file (a stampede scenario) into dir.
func writeFile(dir, name, body string) (string, error) {
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, []byte(body), 0o644)
}
