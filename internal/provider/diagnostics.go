package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// addAPIError turns a client error into one diagnostic: what failed, COC's own words (code,
// message, request id) and what to do about it. Field problems COC reports point at the
// attribute. The client has already scrubbed secrets from the error.
func (d *providerData) addAPIError(diags *diag.Diagnostics, displayName, action string, err error) {
	summary := fmt.Sprintf("Failed to %s %s App Binding", titleCase(action), displayName)
	detail := d.errorDetail(err, rerunAfter(action))
	var apiErr *coc.APIError
	if errors.As(err, &apiErr) && errors.Is(err, coc.ErrValidation) && len(apiErr.Details) > 0 {
		for _, field := range apiErr.Details {
			diags.AddAttributeError(path.Root(field.Field), summary, fmt.Sprintf("COC rejected %s: %s.\n\n%s", field.Field, field.Reason, detail))
		}
		return
	}
	diags.AddError(summary, detail)
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
func (d *providerData) errorDetail(err error, again rerun) string {
	if hint := d.errorHint(err, again); hint != "" {
		return err.Error() + "\n\n" + hint
	}
	return err.Error()
}

func (d *providerData) errorHint(err error, again rerun) string {
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
			"and that this machine's clock is correct.", d.credentials, envDomainID)
	case errors.Is(err, coc.ErrThrottled):
		return "COC kept throttling the request after the provider's retries (max_retries). Try again later, raise max_retries, " +
			"or lower terraform's -parallelism."
	case errors.Is(err, coc.ErrOutcomeUnknown) && !errors.Is(err, coc.ErrResponse):
		// The error that carries it says what the next apply does; nothing is known to be undone.
		// An unusable answer still points at what may be in the way, below.
		return ""
	case errors.Is(err, coc.ErrServer):
		return fmt.Sprintf("COC kept failing after the provider's %s. Nothing was left half-done: %s.", d.retries(), again)
	case isTransportError(err):
		return d.transportHint(err, again)
	case errors.Is(err, coc.ErrNotServed):
		return fmt.Sprintf("That answer is not COC's about the binding: the endpoint %s (%s) does not serve the COC mobile-app API, "+
			"or not this call. Terraform concludes nothing from it: nothing is removed from the state, nothing is recorded as made. "+
			"Check endpoint (%s) and region (%s): a mistyped URL, a proxy with another path prefix, or a region whose API gateway "+
			"does not publish the mobile-app API answer this way.", d.endpoint, d.endpointSource(), envEndpoint, envRegion)
	case errors.Is(err, coc.ErrResponse):
		return fmt.Sprintf("The answer looked like COC's but contradicted the call, so Terraform concludes nothing from it. Check "+
			"endpoint (%s), now %s (%s): a proxy or a wrong URL may be in the way.", envEndpoint, d.endpoint, d.endpointSource())
	}
	return ""
}

// transportHint is the advice for a request that got no answer from COC: what is wrong with the
// endpoint when no retry can fix it, else where the provider could not reach, after its retries.
func (d *providerData) transportHint(err error, again rerun) string {
	if problem := hwhttp.TransportProblem(err); problem != "" {
		return fmt.Sprintf("The COC endpoint %s (%s) cannot work as set: %s. No retry can fix this, so the provider made none. "+
			"Correct endpoint (or %s), or region (%s) for the region's endpoint, then %s.",
			d.endpoint, d.endpointSource(), problem, envEndpoint, envRegion, again)
	}
	return fmt.Sprintf("The provider could not reach COC at %s (%s), after its %s. Check that this machine reaches that host and "+
		"port (a firewall or a proxy may be in the way) and that endpoint (%s) or region (%s) names the right one. Nothing was "+
		"left half-done: %s.", d.endpoint, d.endpointSource(), d.retries(), envEndpoint, envRegion, again)
}

// retries names the provider's retries of a failing request, and how many it makes.
func (d *providerData) retries() string {
	return fmt.Sprintf("retries (max_retries = %d)", d.maxRetries)
}

// endpointSource says where the COC endpoint came from.
func (d *providerData) endpointSource() string {
	if d.endpointFrom != "" {
		return "from " + d.endpointFrom
	}
	return fmt.Sprintf("the default of region %s, from region, %s or the profile", d.region, envRegion)
}

func isTransportError(err error) bool {
	var t *coc.TransportError
	return errors.As(err, &t)
}

// addConflictOrError reports a create conflict with the exact commands to adopt the binding
// that is already there; any other error goes through addAPIError.
func (r *appResource) addConflictOrError(diags *diag.Diagnostics, action string, err error) {
	var apiErr *coc.APIError
	if !errors.Is(err, coc.ErrAlreadyBound) || !errors.As(err, &apiErr) {
		r.data.addAPIError(diags, r.platform.Name, action, err)
		return
	}
	bound := ""
	if apiErr.Bound != nil {
		bound = apiErr.Bound.Identifier()
	}
	r.addAlreadyBound(diags, bound, apiErr.Code == coc.CodeKeyReused, err.Error())
}

// addAlreadyBound reports the app bound in the way of a create (bound, or "" when it could not be
// read), and how to adopt it or clear the way. keyReused says that COC recognised the create's
// idempotency key but not its secrets; cause is what showed it.
func (r *appResource) addAlreadyBound(diags *diag.Diagnostics, bound string, keyReused bool, cause string) {
	where := ""
	if bound == "" {
		// The read-back that names the bound app failed: say where to look rather than guess.
		bound = "<the bound " + r.platform.Identifier.Name + ">"
		where = " and " + bound + " is the identifier COC's message below names (so do the console's Mobile App " +
			"Management page, the coc_mobile_apps data source and terraform query)"
	}
	madeByKey := ""
	if keyReused {
		madeByKey = fmt.Sprintf("COC says that an earlier create with the same %s and settings made it, with other secrets: an "+
			"earlier apply of this configuration whose answer was lost, before the secrets changed, or another configuration "+
			"with the same credentials. Terraform does not take it over. ", r.platform.Identifier.Name)
	}
	diags.AddAttributeError(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Already Bound", r.platform.Name), fmt.Sprintf(
		"COC already has a %[1]s app bound in this tenant (%[2]s %[3]q), and a tenant binds one %[1]s app. %[7]s\n\n"+
			"To manage that binding with Terraform, import it instead of creating it, with\n\n"+
			"  terraform import %[4]s.<name> %[3]s\n\n"+
			"or with an import block:\n\n"+
			"  import {\n    to = %[4]s.<name>\n    id = %[3]q\n  }\n\n"+
			"where <name> is this resource's name%[6]s. If this resource was in the state until the app was replaced on the "+
			"console, run terraform apply -refresh-only first: Terraform ignores an import into an address that is still in the "+
			"state. If that binding should go, unbind it first (on the console, or with terraform destroy where it is managed). "+
			"If this create replaces a binding under lifecycle create_before_destroy, remove that setting: a replacement must "+
			"unbind the old app first.\n\n%[5]s",
		r.platform.Name, r.platform.Identifier.Name, bound, r.typeName(), cause, where, madeByKey))
}

// A create that nothing confirmed (its answers were lost, or the apply gave up on it at
// timeouts.create or on Ctrl-C after it was sent) fails, and records nothing in the state.
//
// Terraform offers two ways to fail a create: return an error with no object, or with the object
// it may have made. The second taints the object, and a tainted object is planned as a
// replacement, destroy first: the next apply would unbind the very binding the create made, then
// bind it again, and the plan would say so. Returning none keeps the plan honest: the next apply
// plans the create again, and its POST carries the same idempotency key (the provider derives it
// from the credentials' principal and the binding's identifier and plain fields, see
// coc.Client.CreateKey), so COC answers with what the lost create made, and Terraform records it;
// or, if COC made nothing, it binds it now. No import, no unbinding. The plan before that apply
// warns that COC holds the binding an earlier create made.
//
// Edge cases: COC recognises the key for 24 hours after the binding was made and only while
// nothing changed it; the next apply then fails with Already Bound and the import commands, as it
// does when the binding's identifier or plain fields changed in between (another key), or its
// secrets (COC.00042201). A temporary key pair given as it is (security_token) is its own
// principal: the next run, with a new key, sends another key and meets Already Bound too.
func (r *appResource) createNotConfirmed(diags *diag.Diagnostics, identifier string, err error) {
	diags.AddError(fmt.Sprintf("%s App Binding Not Confirmed", r.platform.Name), fmt.Sprintf(
		"Terraform sent COC the binding of the %[1]s app with %[2]s %[3]q and does not know whether COC made it:\n\n%[4]s\n\n"+
			"Terraform records nothing, and nothing that depends on the binding ran. Run terraform apply again, within 24 hours and "+
			"with this binding's settings unchanged: Terraform sends the same request with the same idempotency key, and COC either "+
			"recognises the binding it made, which Terraform then records, or binds it then. Nothing needs an import, and nothing "+
			"is unbound. After 24 hours, or with other settings, that apply fails with %[1]s App Already Bound if COC made the "+
			"binding, and says how to import it.", r.platform.Name, r.platform.Identifier.Name, identifier, r.data.errorDetail(err, rerunApply)))
}

// addDeclaredTwice reports a second resource that binds the same app through the same provider
// configuration in one apply: COC would take both creates for one.
func (r *appResource) addDeclaredTwice(diags *diag.Diagnostics, identifier string) {
	diags.AddAttributeError(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Declared Twice", r.platform.Name), fmt.Sprintf(
		"Another resource of this configuration binds the %[1]s app with %[2]s %[3]q, with the same settings and through the same "+
			"provider configuration, in this apply. A tenant binds one %[1]s app, and one binding must be managed by one resource: "+
			"remove one of them.", r.platform.Name, r.platform.Identifier.Name, identifier))
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// providerDataFrom unpacks what Configure handed over. It is nil before the provider is
// configured (for example while validating), which callers tolerate.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
	}
	return data
}
