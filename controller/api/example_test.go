package api_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stampedehq/stampede/controller/api"
)

func ExampleDecodeRunRequest() {
	req, err := api.DecodeRunRequest(strings.NewReader(`{
		"scenario": "tasks: ...",
		"stages": "30s:100,1m:100,30s:0",
		"duration": "3m"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.EffectiveModel(), len(req.Stages), req.Stages.Total(), req.Duration)

	// Errors name the field to fix.
	_, err = api.DecodeRunRequest(strings.NewReader(`{"scenario": "tasks: ...", "stages": [{"duration": "30s", "target": 10}, {"duration": "soon", "target": 0}]}`))
	var apiErr *api.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Field)
	}
	// Output:
	// closed 3 2m0s 3m0s
	// 400 stages[1].duration
}

func ExampleParseStages() {
	stages, err := api.ParseStages("30s:100,1m:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stages {
		fmt.Println(s.Duration, s.Target)
	}
	// Output:
	// 30s 100
	// 1m0s 0
}
