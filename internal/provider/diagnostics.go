package provider

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/diagnostics"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

// The provider's diagnostics, each composed once from the facts it needs: the catalog
// (internal/diagnostics) holds their summaries, the diagnostics guide lists them, and nothing
// else in the provider builds a diagnostic (the linter's forbidigo rule keeps it so).

// Configuring the provider.

// unknownArgument reports an argument not known until apply; env, when set, is its variable.
func unknownArgument(p path.Path, env string) diag.Diagnostic {
	fix := "Set it to a value known at plan time."
	if env != "" {
		fix = fmt.Sprintf("Set it to a value known at plan time, or use the %s environment variable.", env)
	}
	return diagnostics.UnknownProviderArgument.ErrorAt(p, fmt.Sprintf("The provider's %s is not known until apply, but the "+
		"provider must be configured to plan. %s", p, fix))
}

// credentialProblem reports one of credentials.Resolve's problems on its argument, at.
func credentialProblem(at path.Path, p credentials.Problem) diag.Diagnostic {
	m := diagnostics.InvalidProviderArgument
	switch p.Kind {
	case credentials.IncompleteKeyPair:
		m = diagnostics.IncompleteKeyPair
	case credentials.InvalidOIDC:
		m = diagnostics.InvalidOIDC
	case credentials.InvalidAssumeRole:
		m = diagnostics.InvalidAssumeRole
	case credentials.ConflictingSources:
		m = diagnostics.ConflictingSources
	}
	return m.ErrorAt(at, p.Detail)
}

// invalidBooleanVariable reports a variable that should say true or false.
func invalidBooleanVariable(p path.Path, env, raw string) diag.Diagnostic {
	return diagnostics.InvalidProviderArgument.ErrorAt(p, fmt.Sprintf("The %s environment variable, which sets %s, is %q: neither "+
		"true nor false. Set it to one of them, or unset it.", env, p, raw))
}

// invalidVariable reports an environment variable env, which sets p, whose value raw is not one
// p takes.
func invalidVariable(p path.Path, env, raw string, err error) diag.Diagnostic {
	return diagnostics.InvalidProviderArgument.ErrorAt(p, fmt.Sprintf("The %s environment variable, which sets %s, is %q: %s. "+
		"Set it to one of them, or unset it.", env, p, raw, err))
}

// invalidEndpoint reports an endpoint that is not an absolute http(s) URL; p is empty for one that
// only a variable sets.
func invalidEndpoint(p path.Path, service, env, example string, err error) diag.Diagnostic {
	if p.Equal(path.Empty()) {
		return diagnostics.InvalidEndpoint.Error(fmt.Sprintf("%s (from the %s environment variable). Use an absolute URL such as %s.",
			err, env, example), service)
	}
	return diagnostics.InvalidEndpoint.ErrorAt(p, fmt.Sprintf("%s (from %s or %s). Use an absolute URL such as %s.", err, p, env, example), service)
}

func unknownRegion(region string) diag.Diagnostic {
	return diagnostics.UnknownRegion.ErrorAt(path.Root("region"), fmt.Sprintf("COC has no known endpoint in region %q (from region, %s "+
		"or the profile). Use one of %s, or set endpoint (or %s) to the COC API base URL.", region, envRegion, strings.Join(knownRegions(), ", "), envEndpoint))
}

// invalidConfiguration reports what the provider could not set up although every argument
// passed its checks: what, and the error.
func invalidConfiguration(what string, err error) diag.Diagnostic {
	return diagnostics.InvalidProviderConfiguration.Error(fmt.Sprintf("The provider could not set up %s: %s. Check the provider "+
		"arguments and the HW_* environment variables; if they look right, this is a bug in the provider: please report it.", what, err))
}

// chainNotSetUp reports what stopped the credentials' source from being set up: a KooCLI profile
// that cannot be used, on the argument that named it (profile, else shared_config_file).
func chainNotSetUp(c credentials.Config, err error) diag.Diagnostic {
	var profileErr *credentials.ProfileError
	if !errors.As(err, &profileErr) {
		return invalidConfiguration("its credentials", err)
	}
	attr := "profile"
	if c.Profile == "" {
		attr = "shared_config_file"
	}
	return diagnostics.ProfileNotLoaded.ErrorAt(path.Root(attr), fmt.Sprintf("%s.", err))
}

// invalidPlatformEndpoints reports the check of app credentials that could not be set up.
func invalidPlatformEndpoints(err error) diag.Diagnostic {
	return diagnostics.InvalidProviderConfiguration.ErrorAt(path.Root(attrPlatformEndpoints),
		fmt.Sprintf("The provider could not set up the check of app credentials: %s.", err))
}

func unexpectedProviderData(v any) diag.Diagnostic {
	return diagnostics.UnexpectedData.Error(fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", v))
}

// Planning.

func credentialsNotObtained(displayName string, err error) diag.Diagnostic {
	return diagnostics.CredentialsNotObtained.Error(fmt.Sprintf("The plan changes the %s binding, and the provider could not "+
		"obtain the credentials to apply it: %s", displayName, err))
}

// appCredentialsRejected reports a secret its platform refused, on the argument attr that holds it.
func appCredentialsRejected(p platforms.Platform, attr, appID string, e *appcheck.Rejection) diag.Diagnostic {
	hint := ""
	if p.EndpointHint != "" {
		hint = " " + p.EndpointHint
	}
	return diagnostics.AppCredentialsRejected.ErrorAt(path.Root(attr), fmt.Sprintf(
		"%[1]s refused an access token for %[2]s %[3]q with the value of %[4]s: %[5]s. COC would be refused alike when it "+
			"opens a war room, so nothing was sent to COC. (The provider asked %[1]s at %[6]s because verify_app_credentials "+
			"is on.)\n\nCheck that %[4]s holds the current secret of that app, copied in full, and not one of another app, that "+
			"%[2]s is that app's, and that the app belongs to the %[1]s at %[6]s (platform_endpoints.%[7]s).%[8]s",
		p.Name, p.Identifier.Name, appID, attr, e.Answer(), e.Endpoint, p.AppType, hint), p.Name)
}

// appCredentialsUnchecked reports a platform at endpoint that gave no verdict on attr.
func appCredentialsUnchecked(p platforms.Platform, endpoint, attr string, err error) diag.Diagnostic {
	reason := err.Error()
	if unavailable := (*appcheck.UnavailableError)(nil); errors.As(err, &unavailable) {
		reason = unavailable.Reason
	}
	return diagnostics.AppCredentialsUnchecked.ErrorAt(path.Root(attr), fmt.Sprintf(
		"verify_app_credentials is on, and %[1]s at %[2]s gave no verdict on %[3]s: %[4]s. Nothing was sent to COC.\n\n"+
			"Connection errors that may pass, throttling and server errors were retried max_retries times. Check that this machine reaches "+
			"%[2]s over HTTPS, or set platform_endpoints.%[5]s to an address that it reaches and that answers as %[1]s does. To "+
			"plan and apply without the check, set verify_app_credentials = false in the provider block, or %[6]s=false where "+
			"the block does not set it: for example everywhere but in the pipeline that applies, when only that one reaches "+
			"the platforms.", p.Name, endpoint, attr, reason, p.AppType, envVerifyAppCredentials), p.Name)
}

// warRoomVerdict reports what a war room readiness check found about the attribute at p, under
// the provider's mode: a binding that is not ready as a warning or, under enforce, an error; a
// platform that gave no verdict as a warning. Each summary names its check, so that Terraform
// does not fold the findings of two checks into one.
func warRoomVerdict(p path.Path, v readiness.Verdict, mode readiness.Mode, severity readiness.Severity) diag.Diagnostic {
	detail := v.Finding
	if answer := v.Answer(); answer != "" {
		detail += fmt.Sprintf(" %s answered %s.", v.Platform, answer)
	}
	if v.Fix != "" {
		detail += "\n\n" + v.Fix
	}
	m := diagnostics.WarRoomWouldNotOpen
	switch {
	case v.Outcome == readiness.CouldNotTell:
		m = diagnostics.WarRoomReadinessUnknown
		detail += fmt.Sprintf("\n\nThis says nothing against the binding: it is a warning whatever war_room_readiness says (here %q).", mode)
	case severity == readiness.Error:
		detail += "\n\nCOC would fail to open the war room, so war_room_readiness = \"enforce\" fails the plan: nothing was sent to COC."
	default:
		detail += "\n\nCOC would fail to open the war room. With war_room_readiness = \"enforce\" this fails the plan."
	}
	if severity == readiness.Error {
		return m.ErrorAt(p, detail, v.Check)
	}
	return m.WarningAt(p, detail, v.Check)
}

// Changes made outside Terraform. Terraform folds warnings with equal summaries into "N more
// similar warnings", so the drift warnings' summaries name the attribute and the binding.

// secretResent says that the plan sends the configured plaintext secret s again, after COC's
// secrets changed at now, later than Terraform set them (applied).
func secretResent(p platforms.Platform, identifier, s, now, applied string) diag.Diagnostic {
	return diagnostics.SecretDrift.WarningAt(path.Root(s), fmt.Sprintf("COC reports that the secrets of the %s app were changed at "+
		"%s, after Terraform last set them (%s), probably on the console. This plan re-sends %s from the configuration to restore it. "+
		"If the new secret is intended, put it in the configuration instead.", p.Name, now, applied, s), s, p.Name, identifier)
}

// writeOnlySecretDrift says that the write-only secret s changed outside Terraform at since, and
// cannot be sent again but by increasing its version. For such a secret this warning is the only
// sign of the drift: the plan is empty.
func writeOnlySecretDrift(p platforms.Platform, identifier, s, since string) diag.Diagnostic {
	wo, version := writeOnlyAttr(s), versionAttr(s)
	return diagnostics.WriteOnlySecretDrift.WarningAt(path.Root(version), fmt.Sprintf("COC reports that the secrets of the %s app "+
		"were changed at %s, probably on the console, and Terraform has not set %s since. Terraform cannot re-send %s because "+
		"write-only values are never stored. To restore the configured secret, increase %s. If the new secret is intended, set "+
		"%s to it and increase %s.", p.Name, since, s, wo, version, wo, version), version, p.Name, identifier)
}

// replacedDetail explains an app replaced on the console (managed is the state's identifier,
// bound COC's, quoted), with what Terraform does about it in consequence (a format over the same
// arguments), and the two ways on, in the order that works: an import block is ignored for an
// address that is still in the state.
func replacedDetail(p platforms.Platform, managed, bound, consequence string) string {
	return fmt.Sprintf("The %[1]s app bound in this tenant now has %[2]s %[3]s, not %[4]q: it was probably replaced on the console. "+
		consequence+" A tenant binds one %[1]s app.\n\n"+
		"To manage %[3]s instead: run terraform apply -refresh-only, so that the state forgets %[4]q (Terraform ignores an import "+
		"into an address that is still in the state); then set %[2]s to %[3]s and import it with that ID.\n\n"+
		"To bind %[4]q again instead: unbind %[3]s on the console, then run terraform apply.",
		p.Name, p.Identifier.Name, bound, managed)
}

// appReplacedAtRead says that a refresh found another app bound than the state's, and forgets it.
func appReplacedAtRead(p platforms.Platform, managed, bound string) diag.Diagnostic {
	return diagnostics.AppReplaced.WarningAt(path.Root(p.Identifier.Name), replacedDetail(p, managed, strconv.Quote(bound),
		"Terraform treats %[4]q as unbound and plans to bind it again, which fails while %[3]s is bound."), p.Name)
}

// appReplacedAtUpdate says that COC refused an update because another app is bound (err, an
// ErrOtherAppBound).
func appReplacedAtUpdate(p platforms.Platform, managed string, err error) diag.Diagnostic {
	return diagnostics.AppReplaced.ErrorAt(path.Root(p.Identifier.Name), replacedDetail(p, managed, boundIdentifier(err, "(named in COC's message below)"),
		"This apply changed nothing: COC refused to update %[4]q, which is no longer bound.")+"\n\n"+err.Error(), p.Name)
}

func boundByEarlierCreate(p platforms.Platform, identifier string) diag.Diagnostic {
	return diagnostics.BoundByEarlierCreate.Warning(fmt.Sprintf(
		"COC holds the binding of the %[1]s app with %[2]s %[3]q that an earlier create of this very binding made, with the same "+
			"credentials and settings: most likely an apply that could not confirm it. This apply sends the same request again, "+
			"which COC recognises: Terraform records the binding, and binds nothing twice. (If this plan replaces a tainted "+
			"resource, the apply unbinds it first and then binds it again.)", p.Name, p.Identifier.Name, identifier), p.Name)
}

// otherAppLeftAlone says that a destroy found another app bound (err, an ErrOtherAppBound), and
// left it.
func otherAppLeftAlone(p platforms.Platform, identifier string, err error) diag.Diagnostic {
	return diagnostics.OtherAppLeftAlone.WarningAt(path.Root(p.Identifier.Name), fmt.Sprintf(
		"Terraform was to unbind the %[1]s app with %[2]s %[3]q, but COC binds %[4]s in its place: it was probably replaced "+
			"on the console after this plan was made. %[3]q is no longer bound, so Terraform removes it from the state, and it left %[4]s "+
			"bound: Terraform unbinds only the app its state names. If %[4]s should go too, unbind it on the console, or import "+
			"it and destroy it.\n\n%[5]s", p.Name, p.Identifier.Name, identifier, boundIdentifier(err, "the app COC's message names"), err), p.Name)
}

// boundIdentifier quotes the identifier of the binding an ErrAlreadyBound or ErrOtherAppBound
// found in the way, or says unknown when it could not be read.
func boundIdentifier(err error, unknown string) string {
	var apiErr *coc.APIError
	if errors.As(err, &apiErr) && apiErr.Bound != nil {
		return strconv.Quote(apiErr.Bound.Identifier())
	}
	return unknown
}

// Applying.

// apiError turns a client error into diagnostics: what failed, COC's own words (code, message,
// request id) and what to do about it. Field problems COC reports point at the attribute. The
// client has already scrubbed secrets from the error.
func apiError(r reach, displayName, action string, err error) diag.Diagnostics {
	title := []string{titleCase(action), displayName}
	detail := r.errorDetail(err, rerunAfter(action))
	var apiErr *coc.APIError
	if errors.As(err, &apiErr) && errors.Is(err, coc.ErrValidation) && len(apiErr.Details) > 0 {
		var diags diag.Diagnostics
		for _, field := range apiErr.Details {
			diags.Append(diagnostics.RequestFailed.ErrorAt(path.Root(field.Field),
				fmt.Sprintf("COC rejected %s: %s.\n\n%s", field.Field, field.Reason, detail), title...))
		}
		return diags
	}
	return diag.Diagnostics{diagnostics.RequestFailed.Error(detail, title...)}
}

// createFailed reports a failed create: a conflict with the exact commands to adopt the binding
// that is already there, any other error as apiError does.
func createFailed(r reach, p platforms.Platform, err error) diag.Diagnostics {
	var apiErr *coc.APIError
	if !errors.Is(err, coc.ErrAlreadyBound) || !errors.As(err, &apiErr) {
		return apiError(r, p.Name, "create", err)
	}
	bound := ""
	if apiErr.Bound != nil {
		bound = apiErr.Bound.Identifier()
	}
	return diag.Diagnostics{alreadyBound(p, bound, apiErr.Code == coc.CodeKeyReused, err.Error())}
}

// alreadyBound reports the app bound in the way of a create (bound, or "" when it could not be
// read), and how to adopt it or clear the way. keyReused says that COC recognised the create's
// idempotency key but not its secrets; cause is what showed it.
func alreadyBound(p platforms.Platform, bound string, keyReused bool, cause string) diag.Diagnostic {
	where := ""
	if bound == "" {
		// The read-back that names the bound app failed: say where to look rather than guess.
		bound = "<the bound " + p.Identifier.Name + ">"
		where = " and " + bound + " is the identifier COC's message below names (so do the console's Mobile App " +
			"Management page, the coc_mobile_apps data source and terraform query)"
	}
	madeByKey := ""
	if keyReused {
		madeByKey = fmt.Sprintf("COC says that an earlier create with the same %s and settings made it, with other secrets: an "+
			"earlier apply of this configuration whose answer was lost, before the secrets changed, or another configuration "+
			"with the same credentials. Terraform does not take it over. ", p.Identifier.Name)
	}
	return diagnostics.AlreadyBound.ErrorAt(path.Root(p.Identifier.Name), fmt.Sprintf(
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
		p.Name, p.Identifier.Name, bound, typeNameOf(p), cause, where, madeByKey), p.Name)
}

// notConfirmed reports a create that nothing confirmed (its answers were lost, or the apply gave
// up on it at timeouts.create or on Ctrl-C after it was sent). The create fails, and records
// nothing in the state.
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
func notConfirmed(r reach, p platforms.Platform, identifier string, err error) diag.Diagnostic {
	return diagnostics.NotConfirmed.Error(fmt.Sprintf(
		"Terraform sent COC the binding of the %[1]s app with %[2]s %[3]q and does not know whether COC made it:\n\n%[4]s\n\n"+
			"Terraform records nothing, and nothing that depends on the binding ran. Run terraform apply again, within 24 hours and "+
			"with this binding's settings unchanged: Terraform sends the same request with the same idempotency key, and COC either "+
			"recognises the binding it made, which Terraform then records, or binds it then. Nothing needs an import, and nothing "+
			"is unbound. After 24 hours, or with other settings, that apply fails with %[1]s App Already Bound if COC made the "+
			"binding, and says how to import it.", p.Name, p.Identifier.Name, identifier, r.errorDetail(err, rerunApply)), p.Name)
}

// declaredTwice reports a second resource that binds the same app through the same provider
// configuration in one apply: COC would take both creates for one.
func declaredTwice(p platforms.Platform, identifier string) diag.Diagnostic {
	return diagnostics.DeclaredTwice.ErrorAt(path.Root(p.Identifier.Name), fmt.Sprintf(
		"Another resource of this configuration binds the %[1]s app with %[2]s %[3]q, with the same settings and through the same "+
			"provider configuration, in this apply. A tenant binds one %[1]s app, and one binding must be managed by one resource: "+
			"remove one of them.", p.Name, p.Identifier.Name, identifier), p.Name)
}

// stateWithoutIdentifier reports a state that does not say which app it binds.
func stateWithoutIdentifier(p platforms.Platform) diag.Diagnostic {
	id := p.Identifier.Name
	return diagnostics.StateWithoutID.ErrorAt(path.Root(id), fmt.Sprintf(
		"The state of this %[1]s resource has no %[2]s, probably because it was edited by hand, so Terraform cannot tell which app "+
			"it binds and leaves every binding alone. Remove it from the state with terraform state rm (the resource's address), then "+
			"import the bound app with an import block or terraform import, using its %[2]s as the ID (the coc_mobile_apps data source "+
			"and the console's Mobile App Management page list it).", p.Name, id), p.Name, id)
}

// importIDMismatch refuses an import whose ID (wanted) is not the bound app.
func importIDMismatch(p platforms.Platform, wanted, bound string) diag.Diagnostic {
	return diagnostics.ImportIDMismatch.Error(fmt.Sprintf("The import names %[3]s %[1]q, but the %[2]s app bound in this tenant has "+
		"%[3]s %[4]q. A tenant binds one %[2]s app; import it with the ID %[4]q (or the identity %[3]s = %[4]q).",
		wanted, p.Name, p.Identifier.Name, bound))
}

func unboundDuringApply(p platforms.Platform, err error) diag.Diagnostic {
	return diagnostics.UnboundDuringApply.Error(fmt.Sprintf("The %s binding was deleted outside Terraform after this plan was made. "+
		"Run terraform apply again: the next plan will bind it anew.\n\n%s", p.Name, err), p.Name)
}

// secretNotKnown reports a secret to send that has no value at apply time.
func secretNotKnown(p platforms.Platform, s string) diag.Diagnostic {
	return diagnostics.SecretNotKnown.ErrorAt(path.Root(s), fmt.Sprintf("The %s app's %s must be sent to COC now, but neither %s nor "+
		"%s has a value at apply time. Give one of them a value known when applying. A write-only value is read from the "+
		"configuration at apply time, so ephemeral variables must be set again when applying a saved plan.",
		p.Name, s, s, writeOnlyAttr(s)))
}

// Listing.

func listFailed(r reach, err error) diag.Diagnostic {
	return diagnostics.ListFailed.Error(r.errorDetail(err, rerunCommand))
}

func platformListFailed(r reach, p platforms.Platform, err error) diag.Diagnostic {
	return diagnostics.PlatformListFailed.Error(r.errorDetail(err, rerunCommand), p.Name)
}
