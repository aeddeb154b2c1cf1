package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

// providerData is what resources and data sources receive from Configure: one provider
// instance's client and credentials, shared by its resources and by nobody else.
type providerData struct {
	client *coc.Client
	// credentials are what the client signs with: obtained on first need, then renewed.
	credentials *credentials.Chain
	// secrets is the registry of every secret the provider instance has handled so far, masked
	// in every log line and scrubbed from every error.
	secrets *hwhttp.Secrets
	// checker checks app credentials with their platforms (verify_app_credentials); nil when off.
	checker *appcheck.Checker
	// readiness checks whether bindings can open war rooms (war_room_readiness); its mode is Off
	// unless the provider block or the environment says otherwise.
	readiness *readiness.Checker
	// reach is where the client calls COC, for the errors that must name it.
	reach reach
	// creates is what this instance's creates did.
	creates createsInRun
}

// providerDataFrom unpacks what Configure handed over: nil until the provider is configured,
// which only a plan made while validating meets (ModifyPlan guards it).
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.Append(unexpectedProviderData(v))
	}
	return data
}

// checkCredentials obtains the credentials while planning a change to a binding, so that
// credentials that do not work fail the plan rather than the apply. The provider's resources
// share them, so this costs at most the one resolution the apply would make anyway.
func (d *providerData) checkCredentials(ctx context.Context, displayName string, diags *diag.Diagnostics) {
	if _, err := d.credentials.Retrieve(ctx); err != nil {
		diags.Append(credentialsNotObtained(displayName, err))
	}
}
