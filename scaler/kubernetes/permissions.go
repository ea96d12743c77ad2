package kubernetes

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
)

// apiCall is one kind of request this package sends: the RBAC verb, and the
// resource (with its subresource) it is sent to.
type apiCall struct {
	group       string // "" is the core group
	resource    string
	subresource string
	verb        string
	// named is true when the call names one object, so a Role can
	// restrict it by resourceNames; create cannot be restricted.
	named bool
}

// fullResource is the resource as a Role writes it: "deployments/scale".
func (c apiCall) fullResource() string {
	if c.subresource == "" {
		return c.resource
	}
	return c.resource + "/" + c.subresource
}

// apiCalls is the one list of every call the Scaler (for workers of kind k)
// and the ConfigMapStore make. The code calls the API only through these
// entries (see scaler.go and configmap.go), and a test checks that what
// the fake clientset sees equals this list.
func apiCalls(k kind) []apiCall {
	var calls []apiCall
	switch k {
	case deployment, statefulSet:
		calls = []apiCall{
			{group: "apps", resource: k.resource(), verb: "get", named: true},                          // ready replicas
			{group: "apps", resource: k.resource(), subresource: "scale", verb: "get", named: true},    // desired replicas
			{group: "apps", resource: k.resource(), subresource: "scale", verb: "update", named: true}, // Scale
		}
	case daemonSet:
		calls = []apiCall{
			{group: "apps", resource: k.resource(), verb: "get", named: true}, // desired and ready
		}
	default:
		return nil
	}
	return append(calls, configMapCalls...)
}

// configMapCalls are the ConfigMapStore's calls.
var configMapCalls = []apiCall{
	{resource: "configmaps", verb: "get", named: true},
	{resource: "configmaps", verb: "update", named: true},
	{resource: "configmaps", verb: "create"}, // the first Save
}

// Permissions returns the RBAC rules a Role must grant the controller's
// service account for workers of the given kind (Deployment, StatefulSet or
// DaemonSet, as Options.Kind reads it): exactly the calls the Scaler and the
// ConfigMapStore make, and no more. It returns nil for a kind New refuses.
// The rules are not restricted to names; NamedPermissions restricts them.
func Permissions(kind string) []rbacv1.PolicyRule {
	return NamedPermissions(kind, "", "")
}

// NamedPermissions is Permissions restricted by resourceNames to the
// workers' workload and the state ConfigMap wherever RBAC allows it (not
// create, which has no name to check until the object exists). An empty
// name leaves its rules unrestricted.
func NamedPermissions(kind, workersName, stateConfigMap string) []rbacv1.PolicyRule {
	k, err := parseKind(kind)
	if err != nil {
		return nil
	}
	var rules []rbacv1.PolicyRule
	for _, c := range apiCalls(k) {
		var names []string
		if c.named {
			name := workersName
			if c.resource == "configmaps" {
				name = stateConfigMap
			}
			if name != "" {
				names = []string{name}
			}
		}
		rules = addCall(rules, c, names)
	}
	return rules
}

// addCall adds c's verb to the rule for the same group, resource and names,
// or starts a new rule, so that each resource reads as one line of verbs.
func addCall(rules []rbacv1.PolicyRule, c apiCall, names []string) []rbacv1.PolicyRule {
	for i, r := range rules {
		if r.APIGroups[0] == c.group && r.Resources[0] == c.fullResource() && slices.Equal(r.ResourceNames, names) {
			if !slices.Contains(r.Verbs, c.verb) {
				rules[i].Verbs = append(rules[i].Verbs, c.verb)
			}
			return rules
		}
	}
	return append(rules, rbacv1.PolicyRule{
		APIGroups:     []string{c.group},
		Resources:     []string{c.fullResource()},
		Verbs:         []string{c.verb},
		ResourceNames: names,
	})
}
