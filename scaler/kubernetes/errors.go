package kubernetes

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// explain turns an API error from call (sent to namespace/name) into one
// that says what to fix. The API error stays wrapped, so apierrors.IsXxx
// still work on the result, and its message (which names the service
// account on a Forbidden) stays readable at the end.
func explain(err error, c apiCall, what, namespace, name, nameHint string) error {
	switch {
	case err == nil:
		return nil
	case apierrors.IsForbidden(err):
		// The Status details name the resource but not the verb nor the
		// subresource, so both come from the call that was made.
		return fmt.Errorf("forbidden: cannot %s %s in namespace %q (grant the controller's Role: %s on %s): %w",
			c.verb, c.fullResource(), namespace, c.verb, c.fullResource(), err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s %s/%s not found: check %s: %w", what, namespace, name, nameHint, err)
	default:
		return fmt.Errorf("%s %s %s/%s: %w", c.verb, what, namespace, name, err)
	}
}
