// Package scenario is the model of a stampede load test and its YAML format:
// it loads and validates scenario files, and, for the load engine, renders
// each step's HTTP request from templates, checks the response and extracts
// values from it into the virtual user's variables.
//
// # Format
//
//	name: todo-crud
//	base_url: http://127.0.0.1:8080    # optional; the CLI's --target overrides it
//	think_time: {between: [2s, 5s]}    # or {constant: 1s} or {pacing: 10s}
//	tasks:
//	  - name: crud
//	    weight: 3                      # relative frequency, default 1
//	    think_time: {constant: 500ms}  # optional; step > task > scenario
//	    steps:
//	      - name: create               # the endpoint label of the step's metrics
//	        request:
//	          method: POST             # default GET; GET HEAD POST PUT PATCH DELETE OPTIONS
//	          path: /todo              # relative to base_url; or url: an absolute http(s) URL
//	          headers: {X-Trace: "{{ uuid }}"}
//	          query: {page: "1"}
//	          json: {Description: "{{ lorem 6 }}", Completed: false}  # or body: "raw text"
//	        extract:
//	          id: Id                   # a gjson path into the response body, or
//	          # token: {from: header, name: X-Token}
//	          # csrf: {from: regex, pattern: 'name="csrf" value="([^"]+)"'}
//	        check:
//	          status: 201              # or a list: [200, 204]
//	          json: {Id: {exists: true}, Completed: {equals: false}}
//	          body_contains: Description
//	      - name: /todo/[id]
//	        request: {method: GET, path: "/todo/{{ .id }}"}
//	        check: {status: 200}
//	thresholds:
//	  - {metric: http_req_failed, max_rate: 0.01}
//	  - {metric: http_req_duration, endpoint: create, p: 95, max: 300ms}
//	  - {metric: checks, min_rate: 0.99}
//	stages:                            # targets are users or iterations/s
//	  - {duration: 30s, target: 100}
//
// Durations use Go syntax (time.ParseDuration). YAML anchors, aliases and
// merge keys (<<) work anywhere; top-level fields named x-... are ignored, to
// hold anchors:
//
//	x-auth: &auth {Authorization: "Bearer {{ env \"TOKEN\" }}"}
//	...
//	        request: {path: /me, headers: *auth}
//
// # Validation
//
// Parse and Load reject a bad scenario before any load starts, reporting
// every problem found, one *FieldError per line of the joined error, each
// naming the file, line and field path:
//
//	todo.yaml:14: tasks[0].steps[2].request.method: "GETT" is not an HTTP method
//
// Unknown fields are errors. A template may only read variables that some
// step extracts. A missing base_url is not an error: the CLI can supply it
// with --target (WithTarget), and NewRequest fails clearly without one.
//
// # Templates
//
// The path, url, header values, query values, body, and every string inside
// json are Go text/template templates with missingkey=error over the user's
// Vars ({{ .id }}), with these functions:
//
//	lorem N       N random lorem-ipsum words
//	uuid          a random version 4 UUID
//	randInt A B   a random integer in [A, B]
//	env "NAME"    the environment variable, read at render time
//
// Random values come from the *rand.Rand given to NewRequest, so a seeded
// run is reproducible. Strings without an action never go through
// text/template, nor do those whose actions are all plain {{ .name }}.
// Rendered values are inserted in paths as they are; use urlquery to escape
// them. Query values are always escaped.
//
// # JSON body typing
//
// In json: bodies, YAML literals keep their types (5, true, null, "5" stay a
// number, a boolean, null and a string). A string that is exactly one
// template action, such as "{{ .id }}" or "{{ randInt 1 9 }}", is emitted as
// a JSON literal when it renders to a JSON number (RFC 8259: 42, -1.5e3, not
// 042 or +1), true, false or null, so an extracted numeric Id stays a number;
// otherwise it is a JSON string. Any other string is a JSON string, including
// "id-{{ .id }}", " {{ .id }}" and {{ if }}...{{ end }} blocks. Object keys
// are literal and keep their YAML order. A json: body is sent
// with Content-Type: application/json unless a header sets another.
//
// # Extraction and checks
//
// Extraction stores each value as a string in Vars: for a JSON path,
// gjson's Result.String(); for a header, its first value; for a regex, the
// first capture group of the first match. A failed extraction is an error
// naming the variable and source, and removes the variable, so that no
// later request silently reuses an old value.
//
// Checks run in the order of Step.CheckNames. equals compares with types: the
// number 5 does not equal the string "5". A step without a status check
// leaves the engine to treat a status >= 400 as a failure.
package scenario
