package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ModifyPlan makes the plan say exactly what the update will do: key_updated_at becomes unknown
// only when secrets will be sent (so a change of service_id alone keeps it), and a key changed
// outside Terraform turns into an update that re-sends the configured secret, with a warning;
// a write-only one cannot be re-sent, so it gets a warning to increase its version instead.
// A plan that creates or changes the binding also obtains the credentials the apply will need,
// and checks the app secrets it will send with their platform when verify_app_credentials is on;
// a plan that creates one asks COC whether the platform is free (checkBindable).
func (r *appResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: the refresh before it has needed the credentials already
	}
	config := r.readBinding(ctx, req.Config, &resp.Diagnostics)
	plan := r.readBinding(ctx, req.Plan, &resp.Diagnostics)
	prior := r.readBinding(ctx, req.State, &resp.Diagnostics)
	if req.State.Raw.IsNull() {
		// A create, or the second plan of a replacement, which carries the first's private state.
		r.verifyPlan(ctx, config, plan, prior, nil, &resp.Diagnostics)
		r.data.checkCredentials(ctx, r.platform.Name, &resp.Diagnostics)
		if !resp.Diagnostics.HasError() {
			r.checkBindable(ctx, config, plan, readReplaces(ctx, req.Private, &resp.Diagnostics), &resp.Diagnostics)
		}
		return // nothing to refine
	}
	writeReplaces(ctx, resp.Private, prior.Identifier.ValueString(), &resp.Diagnostics)
	changes := secretChanges(r.platform.SecretNames(), config, plan, prior, readPrivate(ctx, req.Private, &resp.Diagnostics))
	if resp.Diagnostics.HasError() {
		return
	}
	if len(changes.send) > 0 {
		plan.KeyUpdatedAt, plan.UpdatedAt = types.StringUnknown(), types.StringUnknown()
	} else {
		plan.KeyUpdatedAt = prior.KeyUpdatedAt
	}
	r.writeBinding(ctx, &resp.Plan, plan, &resp.Diagnostics)
	r.warnSecretDrift(prior.Identifier.ValueString(), changes, &resp.Diagnostics)
	r.verifyPlan(ctx, config, plan, prior, changes.send, &resp.Diagnostics)
	if !resp.Plan.Raw.Equal(req.State.Raw) {
		r.data.checkCredentials(ctx, r.platform.Name, &resp.Diagnostics)
	}
}

// warnSecretDrift says which secrets changed outside Terraform, and what the plan does about it.
// Terraform folds warnings with equal summaries into "N more similar warnings", so each summary
// names its attribute and binding.
func (r *appResource) warnSecretDrift(identifier string, changes secretPlan, diags *diag.Diagnostics) {
	for _, s := range changes.resent {
		diags.AddAttributeWarning(path.Root(s),
			fmt.Sprintf("Secret Changed Outside Terraform: Re-sending %s of %s App %s", s, r.platform.Name, identifier),
			fmt.Sprintf("COC reports that the secrets of the %s app were changed at %s, after Terraform last set them (%s), "+
				"probably on the console. This plan re-sends %s from the configuration to restore it. If the new secret is "+
				"intended, put it in the configuration instead.", r.platform.Name, changes.drift.now, changes.drift.applied, s))
	}
	// For a write-only secret this warning is the only sign of the drift: the plan is empty.
	for _, u := range changes.needsVersionBump {
		s, wo, version := u.name, writeOnlyAttr(u.name), versionAttr(u.name)
		diags.AddAttributeWarning(path.Root(version),
			fmt.Sprintf("Write-Only Secret Changed Outside Terraform: Increase %s of %s App %s", version, r.platform.Name, identifier),
			fmt.Sprintf("COC reports that the secrets of the %s app were changed at %s, probably on the console, and Terraform "+
				"has not set %s since. Terraform cannot re-send %s because write-only values are never stored. To restore "+
				"the configured secret, increase %s. If the new secret is intended, set %s to it and increase %s.",
				r.platform.Name, u.since, s, wo, version, wo, version))
	}
}
