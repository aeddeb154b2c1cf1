package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Secret planning: which secrets an update sends and why. ModifyPlan and Update share it.

// keyDrift records that COC's key_updated_at moved since this provider last set the secrets.
type keyDrift struct{ applied, now string }

// secretPlan says which secrets an update sends, and why.
type secretPlan struct {
	send []string
	// resent are plaintext secrets sent only because they changed outside Terraform.
	resent []string
	// needsVersionBump are write-only secrets changed outside Terraform, which only a version
	// bump can restore.
	needsVersionBump []unrestoredSecret
	drift            *keyDrift
}

// unrestoredSecret is a write-only secret changed outside Terraform since (a key_updated_at).
type unrestoredSecret struct{ name, since string }

type privateGetter interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// privateJSON decodes the private state's key into v. found is false when the key is not set;
// err is why a value that is set does not decode (v then holds what json.Unmarshal left in it).
func privateJSON(ctx context.Context, private privateGetter, key string, v any, diags *diag.Diagnostics) (found bool, err error) {
	raw, d := private.GetKey(ctx, key)
	diags.Append(d...)
	if raw == nil {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

// secretChanges decides which secrets an update sends. ModifyPlan and Update both call it with
// the same inputs, so what the plan promises is what the apply does.
func (r *appResource) secretChanges(ctx context.Context, config tfsdk.Config, plan tfsdk.Plan, state tfsdk.State, private privateGetter, diags *diag.Diagnostics) secretPlan {
	var out secretPlan
	out.drift = r.keyDrift(ctx, state, private, diags)
	// An unreadable map counts as none, like a missing baseline.
	var unrestored map[string]string
	_, _ = privateJSON(ctx, private, privateUnrestoredWriteOnly, &unrestored, diags)
	for _, s := range r.platform.SecretNames() {
		planned := stringAt(ctx, plan, s, diags)
		prior := stringAt(ctx, state, s, diags)
		switch {
		case !planned.IsNull():
			configured := stringAt(ctx, config, s, diags)
			switch {
			case !planned.Equal(prior):
				out.send = append(out.send, s)
			// Re-send only what the configuration manages: under ignore_changes the planned
			// value is the old state value, and sending it would undo a wanted console change.
			case out.drift != nil && planned.Equal(configured):
				out.send = append(out.send, s)
				out.resent = append(out.resent, s)
			}
		case !stringAt(ctx, config, s+writeOnlySuffix, diags).IsNull():
			switch {
			// A new version, or a switch from the plaintext attribute, means: send it now.
			case !int64At(ctx, plan, s+versionSuffix, diags).Equal(int64At(ctx, state, s+versionSuffix, diags)), !prior.IsNull():
				out.send = append(out.send, s)
			case out.drift != nil:
				out.needsVersionBump = append(out.needsVersionBump, unrestoredSecret{name: s, since: out.drift.now})
			case unrestored[s] != "":
				out.needsVersionBump = append(out.needsVersionBump, unrestoredSecret{name: s, since: unrestored[s]})
			}
		}
	}
	return out
}

// secretValue is the value of secret s: the plaintext attribute's in the plan, else the
// write-only one's in the config.
func (r *appResource) secretValue(ctx context.Context, plan tfsdk.Plan, config tfsdk.Config, s string, diags *diag.Diagnostics) types.String {
	value := stringAt(ctx, plan, s, diags)
	if value.IsNull() {
		value = stringAt(ctx, config, s+writeOnlySuffix, diags)
	}
	return value
}

func (r *appResource) keyDrift(ctx context.Context, state tfsdk.State, private privateGetter, diags *diag.Diagnostics) *keyDrift {
	var applied string
	if found, err := privateJSON(ctx, private, privateAppliedKeyUpdatedAt, &applied, diags); !found || err != nil {
		return nil // imported and never applied: no baseline to compare with
	}
	current := stringAt(ctx, state, attrKeyUpdatedAt, diags)
	if current.IsNull() || current.IsUnknown() || current.ValueString() == applied {
		return nil
	}
	return &keyDrift{applied: applied, now: current.ValueString()}
}

func setAppliedKeyUpdatedAt(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, b *coc.Binding, diags *diag.Diagnostics) {
	value, _ := json.Marshal(coc.FormatTimestamp(b.KeyUpdatedAt))
	diags.Append(private.SetKey(ctx, privateAppliedKeyUpdatedAt, value)...)
}
