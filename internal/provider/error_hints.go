package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// What a failed call means to the user, and what to do about it: the hint that follows a client
// error in a diagnostic, by the kind of the error (coc's sentinels, the transport's problem).

// reach is where the provider reaches COC, and with what, for the hints that must name it.
type reach struct {
	// endpoint and region are what the client calls; endpointFrom names what set the URL
	// ("endpoint" or HW_COC_ENDPOINT), "" for the region.
	endpoint, region, endpointFrom string
	// maxRetries is how often a failing request is retried.
	maxRetries int
	// credentials names the source of the credentials.
	credentials string
}

// rerun says how to repeat a call that failed. Reads run while planning too (a refresh, the
// data source, a list resource), where only the same command repeats them; only a write runs
// in an apply, or in a destroy for a delete.
type rerun string

const (
	rerunCommand rerun = "run the command again"
	rerunApply   rerun = "run terraform apply again"
	rerunDestroy rerun = "run terraform destroy or terraform apply again"
)

// rerunAfter is how to repeat a failed action of a resource: "create", "read", "update" or "delete".
func rerunAfter(action string) rerun {
	switch action {
	case "create", "update":
		return rerunApply
	case "delete":
		return rerunDestroy
	}
	return rerunCommand
}

// errorDetail is a client error followed by what to do about it; again says how to repeat the call.
func (r reach) errorDetail(err error, again rerun) string {
	if hint := r.errorHint(err, again); hint != "" {
		return err.Error() + "\n\n" + hint
	}
	return err.Error()
}

func (r reach) errorHint(err error, again rerun) string {
	var credErr *hwhttp.CredentialsError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "The operation did not finish within its timeout. Try again, or raise the limit in the resource's timeouts block."
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("The operation was interrupted. %s: every operation of this provider is safe to repeat.", titleCase(string(again)))
	case errors.As(err, &credErr):
		return "" // it names the source of the credentials and what to set
	case errors.Is(err, coc.ErrAuth):
		return fmt.Sprintf("COC refused the credentials from %s. Check them, domain_id (%s; with an agency, the agency's account), "+
			"and that this machine's clock is correct.", r.credentials, envDomainID)
	case errors.Is(err, coc.ErrThrottled):
		return "COC kept throttling the request after the provider's retries (max_retries). Try again later, raise max_retries, " +
			"or lower terraform's -parallelism."
	case errors.Is(err, coc.ErrOutcomeUnknown) && !errors.Is(err, coc.ErrResponse):
		// The error that carries it says what the next apply does; nothing is known to be undone.
		// An unusable answer still points at what may be in the way, below.
		return ""
	case errors.Is(err, coc.ErrServer):
		return fmt.Sprintf("COC kept failing after the provider's %s. Nothing was left half-done: %s.", r.retries(), again)
	case isTransportError(err):
		return r.transportHint(err, again)
	case errors.Is(err, coc.ErrNotServed):
		return fmt.Sprintf("That answer is not COC's about the binding: the endpoint %s (%s) does not serve the COC mobile-app API, "+
			"or not this call. Terraform concludes nothing from it: nothing is removed from the state, nothing is recorded as made. "+
			"Check endpoint (%s) and region (%s): a mistyped URL, a proxy with another path prefix, or a region whose API gateway "+
			"does not publish the mobile-app API answer this way.", r.endpoint, r.endpointSource(), envEndpoint, envRegion)
	case errors.Is(err, coc.ErrResponse):
		return fmt.Sprintf("The answer looked like COC's but contradicted the call, so Terraform concludes nothing from it. Check "+
			"endpoint (%s), now %s (%s): a proxy or a wrong URL may be in the way.", envEndpoint, r.endpoint, r.endpointSource())
	}
	return ""
}

// transportHint is the advice for a request that got no answer from COC: what is wrong with the
// endpoint when no retry can fix it, else where the provider could not reach, after its retries.
func (r reach) transportHint(err error, again rerun) string {
	if problem := hwhttp.TransportProblem(err); problem != "" {
		return fmt.Sprintf("The COC endpoint %s (%s) cannot work as set: %s. No retry can fix this, so the provider made none. "+
			"Correct endpoint (or %s), or region (%s) for the region's endpoint, then %s.",
			r.endpoint, r.endpointSource(), problem, envEndpoint, envRegion, again)
	}
	return fmt.Sprintf("The provider could not reach COC at %s (%s), after its %s. Check that this machine reaches that host and "+
		"port (a firewall or a proxy may be in the way) and that endpoint (%s) or region (%s) names the right one. Nothing was "+
		"left half-done: %s.", r.endpoint, r.endpointSource(), r.retries(), envEndpoint, envRegion, again)
}

// retries names the provider's retries of a failing request, and how many it makes.
func (r reach) retries() string {
	return fmt.Sprintf("retries (max_retries = %d)", r.maxRetries)
}

// endpointSource says where the COC endpoint came from.
func (r reach) endpointSource() string {
	if r.endpointFrom != "" {
		return "from " + r.endpointFrom
	}
	return fmt.Sprintf("the default of region %s, from region, %s or the profile", r.region, envRegion)
}

func isTransportError(err error) bool {
	var t *coc.TransportError
	return errors.As(err, &t)
}
