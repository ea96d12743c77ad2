package scenario_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"

	"github.com/stampedehq/stampede/generator/scenario"
)

const todoYAML = `
name: todo
base_url: http://127.0.0.1:8080
think_time: {between: [2s, 5s]}
tasks:
  - name: crud
    steps:
      - name: create
        request:
          method: POST
          path: /todo
          json: {Description: "{{ lorem 3 }}", Completed: false}
        extract: {id: Id}
        check: {status: 201}
      - name: /todo/[id]
        request:
          method: PUT
          path: "/todo/{{ .id }}"
          json: {Id: "{{ .id }}", Completed: true}
        check: {status: 200, json: {Completed: {equals: true}}}
thresholds:
  - {metric: http_req_duration, endpoint: create, p: 95, max: 300ms}
`

func ExampleParse() {
	s, err := scenario.Parse("todo.yaml", []byte(todoYAML))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range s.Endpoints() {
		fmt.Println(e.Method, e.Name)
	}
	fmt.Println(s.Thresholds[0])
	fmt.Println(s.ThinkTime)

	// Every problem is reported, with file, line and field.
	_, err = scenario.Parse("bad.yaml", []byte(`
tasks:
  - name: crud
    weight: 0
    steps:
      - name: create
        request: {method: GETT, path: todo}
`))
	fmt.Println(err)
	// Output:
	// POST create
	// PUT /todo/[id]
	// http_req_duration{endpoint=create} p95 < 300ms
	// between(2s, 5s)
	// bad.yaml:4: tasks[0].weight: 0 is out of range (want 1 to 1000000)
	// bad.yaml:7: tasks[0].steps[0].request.method: "GETT" is not an HTTP method (want GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)
	// bad.yaml:7: tasks[0].steps[0].request.path: "todo" must start with / (it is relative to base_url; use url: for an absolute URL)
}

func ExampleStep_NewRequest() {
	s, err := scenario.Parse("todo.yaml", []byte(todoYAML))
	if err != nil {
		panic(err)
	}
	update := s.Tasks[0].Steps[1]
	vars := scenario.Vars{"id": "42"} // as extracted by the create step
	rng := rand.New(rand.NewPCG(1, 2))
	req, err := update.NewRequest(context.Background(), s.BaseURL, vars, rng)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(req.Body)
	fmt.Println(req.Method, req.URL)
	fmt.Println(req.Header.Get("Content-Type"))
	fmt.Println(string(body)) // "{{ .id }}" rendered to a number stays a number

	_, err = update.NewRequest(context.Background(), s.BaseURL, scenario.Vars{}, rng)
	fmt.Println(err)
	// Output:
	// PUT http://127.0.0.1:8080/todo/42
	// application/json
	// {"Id":42,"Completed":true}
	// todo.yaml:18: tasks[0].steps[1].request.path: step "/todo/[id]": variable "id" is not set (no step has extracted it yet)
}

func ExampleStep_Evaluate() {
	s, err := scenario.Parse("todo.yaml", []byte(todoYAML))
	if err != nil {
		panic(err)
	}
	create := s.Tasks[0].Steps[0]
	vars := scenario.Vars{}
	resp := &scenario.Response{
		Status: 201,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"Id": 7, "Description": "a b c", "Completed": false}`),
	}
	results, err := create.Evaluate(resp, vars, nil)
	fmt.Println(results, err, vars["id"])

	results, err = create.Evaluate(&scenario.Response{Status: 500, Body: []byte(`{"error": "boom"}`)}, vars, nil)
	fmt.Println(results)
	fmt.Println(err)
	// Output:
	// [{status true }] <nil> 7
	// [{status false status 500, want 201}]
	// todo.yaml:13: tasks[0].steps[0].extract.id: step "create": json path "Id" is not in the response body
}

func ExampleParseStages() {
	stages, err := scenario.ParseStages("30s:100,1m:100,30s:0")
	fmt.Println(stages, err)
	_, err = scenario.ParseStages("30s:100,1m:lots")
	fmt.Println(err)
	// Output:
	// [{30s 100} {1m0s 100} {30s 0}] <nil>
	// stage 2 "1m:lots": target "lots" is not a number
}

func ExampleThinkTime_Delay() {
	pacing := scenario.ThinkTime{Kind: scenario.ThinkPacing, Min: 10e9}
	fmt.Println(pacing.Delay(nil, 3e9)) // an iteration that took 3s waits 7s
	fmt.Println(pacing.Delay(nil, 12e9))
	// Output:
	// 7s
	// 0s
}

func ExampleScenario_WithTarget() {
	s, err := scenario.Parse("todo.yaml", []byte(todoYAML))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.WithTarget("http://127.0.0.1:9090/"), s.BaseURL)
	fmt.Println(s.WithTarget("localhost:9090"))
	// Output:
	// <nil> http://127.0.0.1:9090
	// "localhost:9090" is not an absolute http or https URL (want e.g. http://127.0.0.1:8080)
}

func ExampleStep_NewSharedRequest() {
	s, err := scenario.Parse("hello.yaml", []byte("base_url: http://127.0.0.1:8080\ntasks:\n  - name: t\n    steps:\n      - {name: hello, request: {path: /hello}}\n"))
	if err != nil {
		panic(err)
	}
	hello := s.Tasks[0].Steps[0]
	a, _ := hello.NewSharedRequest(context.Background(), s.BaseURL, nil, nil, "stampede")
	b, _ := hello.NewSharedRequest(context.Background(), s.BaseURL, nil, nil, "stampede")
	fmt.Println(a.Method, a.URL, a.Header.Get("User-Agent"))
	fmt.Println("URL shared:", a.URL == b.URL) // the step holds no template: read-only, and built once
	// Output:
	// GET http://127.0.0.1:8080/hello stampede
	// URL shared: true
}
