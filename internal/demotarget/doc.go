// Package demotarget is the system under test that ships inside the stampede
// binary: an in-memory ToDo API (the one teams load-test in the field with
// Locust), served by `stampede demo-target` and by `stampede run` when no
// scenario is given, and loaded by the end-to-end tests.
//
// Routes:
//
//	POST   /todo       create {"Description": string, "Completed": bool} -> 201 item
//	GET    /todo       the items with the lowest ids (at most 1000), sorted by id
//	GET    /todo/{id}  200 item, 404 when absent
//	PUT    /todo/{id}  update the fields present in the body -> 200 item, 404 when absent
//	DELETE /todo/{id}  204, 404 when absent
//	GET    /hello      "hello\n", for raw-throughput benchmarks
//	GET    /stats      what was served, as JSON (see Stats)
//	GET    /metrics    the same in Prometheus text format
//	GET    /healthz    200
//
// The counted routes (all but /stats, /metrics and /healthz) can be slowed
// down (Latency), made to fail (ErrorRate) and periodically frozen (Stall), so
// that a load test has something to find. The server counts every response
// it wrote, per route pattern and status code, exactly: tests compare those
// counts with what the load generator saw.
package demotarget
