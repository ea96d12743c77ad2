package demotarget_test

import (
	"os"
	"testing"

	"github.com/stampedehq/stampede/generator/scenario"
	"github.com/stampedehq/stampede/internal/demotarget"
)

func TestCRUDScenarioIsTheExampleAndValid(t *testing.T) {
	example, err := os.ReadFile("../../examples/todo-crud.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(example) != demotarget.CRUDScenario {
		t.Fatal("internal/demotarget/todo-crud.yaml differs from examples/todo-crud.yaml: copy one over the other")
	}
	if _, err := scenario.Parse("todo-crud.yaml", []byte(demotarget.CRUDScenario)); err != nil {
		t.Fatal(err)
	}
}
