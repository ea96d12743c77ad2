package demotarget

import (
	"strconv"
	"sync/atomic"
)

// The counted routes, by the ServeMux pattern that serves them. routeOther
// counts requests that matched no route (404 for an unknown path, 405 with
// Allow for a wrong method), so that the counts add up to everything the
// load generator sent.
const (
	routeCreate = iota
	routeList
	routeGet
	routeUpdate
	routeDelete
	routeHello
	routeOther
	routeCount
)

// The patterns of the counted routes, as registered with the ServeMux.
const (
	patternCreate = "POST /todo"
	patternList   = "GET /todo"
	patternGet    = "GET /todo/{id}"
	patternUpdate = "PUT /todo/{id}"
	patternDelete = "DELETE /todo/{id}"
	patternHello  = "GET /hello"
)

// routeNames are the route keys of Stats and the `route` label values of
// demotarget_requests_total, indexed by the route constants.
var routeNames = [routeCount]string{
	routeCreate: patternCreate,
	routeList:   patternList,
	routeGet:    patternGet,
	routeUpdate: patternUpdate,
	routeDelete: patternDelete,
	routeHello:  patternHello,
	routeOther:  "other",
}

// Paths that are never counted, whatever the method, since they observe the
// target rather than load it.
const (
	pathStats   = "/stats"
	pathMetrics = "/metrics"
	pathHealthz = "/healthz"
)

// maxStatus bounds the status codes net/http lets a handler write (100-999).
const maxStatus = 1000

// counters counts written responses per route and status code. A fixed
// array of atomics makes counting one atomic add, with no lock and no map.
type counters struct {
	byRoute [routeCount][maxStatus]atomic.Int64
}

func (c *counters) add(route, status int) {
	if status < 0 || status >= maxStatus {
		status = 0 // unreachable through net/http; guards the index
	}
	c.byRoute[route][status].Add(1)
}

// Stats is what the server has served: responses written per route pattern
// and status code, their total, and the number of live items.
type Stats struct {
	// Routes maps a route pattern ("POST /todo", ..., "other" for requests
	// that matched none) to counts per status code ("201"). Routes with no
	// responses are left out.
	Routes map[string]map[string]int64 `json:"routes"`
	// Total is the sum of all counts in Routes.
	Total int64 `json:"total"`
	// Items is the number of ToDo items stored.
	Items int `json:"items"`
}

// snapshot reads the counters into a Stats. Each count is read atomically;
// the set is not, so under load Total is the sum of what was read, not of one
// instant.
func (c *counters) snapshot() Stats {
	stats := Stats{Routes: map[string]map[string]int64{}}
	c.each(func(route, status int, n int64) {
		byStatus := stats.Routes[routeNames[route]]
		if byStatus == nil {
			byStatus = map[string]int64{}
			stats.Routes[routeNames[route]] = byStatus
		}
		byStatus[strconv.Itoa(status)] = n
		stats.Total += n
	})
	return stats
}

// each calls fn for every non-zero count.
func (c *counters) each(fn func(route, status int, n int64)) {
	for route := range c.byRoute {
		for status := range c.byRoute[route] {
			if n := c.byRoute[route][status].Load(); n != 0 {
				fn(route, status, n)
			}
		}
	}
}
