package h1_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/stampedehq/stampede/generator/h1"
)

// An h1 Transport sends plain-HTTP requests itself and hands the rest
// (here none) to a net/http Transport.
func ExampleNew() {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s", r.Proto)
	}))
	defer target.Close()

	fallback := http.DefaultTransport.(*http.Transport).Clone()
	transport := h1.New(h1.Options{MaxConnsPerHost: 10, Fallback: fallback})
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}

	resp, err := client.Get(target.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello over HTTP/1.1
}
