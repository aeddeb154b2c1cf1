package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

// checkReadiness asks the binding's platform whether the binding as configured can open a war
// room (war_room_readiness), and reports each verdict that is not ready on its attribute. Every
// plan that keeps or makes the binding asks, an empty one included: a secret reset on the
// platform shows in no diff. The secrets are the configuration's, write-only ones included,
// which Terraform passes to every plan. A value not known yet is not sent. With
// war_room_readiness off, only the checks that need no call run.
func (r appCore) checkReadiness(ctx context.Context, config, plan appBinding, diags *diag.Diagnostics) {
	b := readiness.Binding{AppType: r.platform.AppType, Values: map[string]string{}}
	values := map[string]interface {
		IsNull() bool
		IsUnknown() bool
		ValueString() string
	}{r.platform.Identifier.Name: plan.Identifier}
	for name, v := range plan.Fields {
		values[name] = v
	}
	for _, s := range r.platform.SecretNames() {
		values[s] = secretValue(plan, config, s)
	}
	for name, v := range values {
		if !v.IsNull() && !v.IsUnknown() {
			b.Values[name] = v.ValueString()
		}
	}
	mode := r.data.readiness.Mode()
	for _, v := range r.data.readiness.Check(r.maskSecrets(ctx, config), b) {
		severity := mode.Severity(v.Outcome)
		if severity == readiness.Silent {
			continue
		}
		attr := v.Attribute
		if r.platform.IsSecret(attr) && config.Secrets[attr].Value.IsNull() {
			attr = writeOnlyAttr(attr)
		}
		diags.Append(warRoomVerdict(path.Root(attr), v, mode, severity))
	}
}
