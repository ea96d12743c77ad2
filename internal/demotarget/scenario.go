package demotarget

import _ "embed"

// CRUDScenario is the scenario `stampede run` uses with no scenario given:
// create, read, update and delete a ToDo item, with 2–5s think time. It is
// examples/todo-crud.yaml (a test keeps the two identical), embedded so the
// binary needs no file beside it.
//
//go:embed todo-crud.yaml
var CRUDScenario string
