package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Checking app credentials with their platform (verify_app_credentials). A secret reaches COC
// only once its platform has accepted it, in this provider process:
//   - ModifyPlan checks each secret the plan will send (every secret of a new binding, else those
//     secretChanges sends) whose value and app ID are known while planning; a rejection fails
//     the plan;
//   - Create and Update check the secrets of the request they are about to send, before it goes
//     out: those the plan could not know, and those a plan in another process checked.
// What passed is remembered in memory for the life of the process (appcheck.Memory), never in
// the state or the plan: each secret costs one token call per provider process that plans or
// applies it. Terraform starts the provider anew for the plan and for the apply, also within
// one terraform apply, so a plan and apply costs two calls per new secret and a plan alone one;
// terraform-plugin-testing serves one provider instance to all its commands, so one in tests.
// (Create gets no private state to carry the plan's verdict in, and no verdict could be
// trusted across processes without putting something derived from the secret in the plan.)

// verifyPlan checks, while planning, the known secrets the apply will send: all of them for a
// new binding (a create, or a replacement), else those of send.
func (r appCore) verifyPlan(ctx context.Context, config, plan, prior appBinding, send []string, diags *diag.Diagnostics) {
	if r.data.checker == nil {
		return
	}
	if plan.Identifier.IsUnknown() {
		return // the apply checks it
	}
	if !plan.Identifier.Equal(prior.Identifier) {
		send = r.platform.SecretNames()
	}
	known := map[string]string{}
	for _, s := range send {
		if v := secretValue(plan, config, s); !v.IsNull() && !v.IsUnknown() {
			known[s] = v.ValueString()
		}
	}
	r.verify(ctx, config, plan.Identifier.ValueString(), known, diags)
}

// verifyBeforeSend checks the secrets of a request before it is sent to COC.
func (r appCore) verifyBeforeSend(ctx context.Context, config appBinding, body coc.BindingRequest, diags *diag.Diagnostics) {
	if r.data.checker == nil || diags.HasError() {
		return
	}
	r.verify(ctx, config, body.Fields[r.platform.Identifier.Name], body.Secrets, diags)
}

// verify checks each secret with the platform, reporting each rejection on the secret's
// configured argument. A platform that gives no verdict is reported once.
func (r appCore) verify(ctx context.Context, config appBinding, appID string, secrets map[string]string, diags *diag.Diagnostics) {
	for _, v := range secrets {
		r.data.secrets.Add(v)
	}
	ctx = maskLogs(ctx, r.data.secrets)
	for _, s := range r.platform.SecretNames() {
		value, ok := secrets[s]
		if !ok {
			continue
		}
		attr := s
		if config.Secrets[s].Value.IsNull() {
			attr = writeOnlyAttr(s)
		}
		err := r.data.checker.Check(ctx, r.platform.AppType, appID, value)
		var rejection *appcheck.Rejection
		switch {
		case errors.As(err, &rejection):
			diags.Append(appCredentialsRejected(r.platform, attr, appID, rejection))
		case err != nil:
			diags.Append(appCredentialsUnchecked(r.platform, r.data.checker.Endpoint(r.platform.AppType), attr, err))
			return
		}
	}
}
