package controller_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"

	"github.com/stampedehq/stampede/controller"
	"github.com/stampedehq/stampede/controller/api"
)

func ExampleNew() {
	ctx := context.Background()
	c, err := controller.New(ctx, controller.Options{
		Logger: slog.New(slog.DiscardHandler),
		Store:  &controller.MemoryStore{}, // controller.FileStore{Path: "state.json"} keeps it across restarts
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	srv := httptest.NewServer(c.Handler()) // in production: an http.Server, and go c.Run(ctx)
	defer srv.Close()

	client, _ := api.NewClient(srv.URL, api.ClientOptions{})
	_, err = client.StartRun(ctx, api.RunRequest{
		Scenario: "base_url: http://127.0.0.1:8080\ntasks: [{name: home, steps: [{name: home, request: {path: /}}]}]\n",
		Users:    10,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{"worker-a", "worker-b", "worker-c"} {
		if _, err := client.Heartbeat(ctx, api.Heartbeat{ID: id, State: api.WorkerIdle}); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, id := range []string{"worker-a", "worker-b", "worker-c"} {
		resp, _ := client.Heartbeat(ctx, api.Heartbeat{ID: id, State: api.WorkerRunning})
		fmt.Println(id, resp.Assignment.State, resp.Assignment.Users, "users")
	}

	// Errors name the field to fix.
	_, err = client.StartRun(ctx, api.RunRequest{Scenario: "tasks: []", Users: -1})
	fmt.Println(err)
	// Output:
	// worker-a running 4 users
	// worker-b running 3 users
	// worker-c running 3 users
	// users: -1: must be between 0 and 10000000
}
