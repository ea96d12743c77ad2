// Package guard holds the allowlist of targets a load may go to
// (STAMPEDE_ALLOWED_TARGETS): host patterns and CIDRs. Runs are checked
// against it before they start, and every connection a worker opens is
// checked again when it is dialled — which also covers templated URLs,
// redirects, and names that resolve outside the list (the checked address
// is the one dialled, so a second DNS answer cannot slip past).
package guard
