package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// appBinding is one binding as a plan, a state or a config holds it: the only value CRUD and
// ModifyPlan work on. readBinding and writeBinding are the only code that names its attributes.
type appBinding struct {
	Identifier types.String
	// Fields are the plain fields, by wire name.
	Fields map[string]types.String
	// Secrets are the secrets, by wire name.
	Secrets  map[string]secretAttrs
	Timeouts timeouts.Value
	// What COC computes.
	ID, Status, CreatedAt, UpdatedAt, KeyUpdatedAt types.String
}

// secretAttrs are the three attributes of one secret.
type secretAttrs struct {
	// Value is the plaintext attribute, <secret>.
	Value types.String
	// WriteOnly is <secret>_wo: set only in a config, null in plans and states.
	WriteOnly types.String
	// Version is <secret>_wo_version.
	Version types.Int64
}

// The attribute names of a secret's write-only value and of its version.
func writeOnlyAttr(secret string) string { return secret + writeOnlySuffix }
func versionAttr(secret string) string   { return secret + versionSuffix }

type attrSource interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

type attrSetter interface {
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// readBinding reads a plan, a state or a config. A null one (no prior state, a new list result)
// reads as every attribute null.
func (r *appResource) readBinding(ctx context.Context, src attrSource, diags *diag.Diagnostics) appBinding {
	get := func(name string, target any) { diags.Append(src.GetAttribute(ctx, path.Root(name), target)...) }
	b := appBinding{Fields: map[string]types.String{}, Secrets: map[string]secretAttrs{}}
	get(r.platform.Identifier.Name, &b.Identifier)
	for _, name := range r.platform.FieldNames() {
		var v types.String
		get(name, &v)
		b.Fields[name] = v
	}
	for _, s := range r.platform.SecretNames() {
		var v secretAttrs
		get(s, &v.Value)
		get(writeOnlyAttr(s), &v.WriteOnly)
		get(versionAttr(s), &v.Version)
		b.Secrets[s] = v
	}
	for name, target := range b.computed() {
		get(name, target)
	}
	get(attrTimeouts, &b.Timeouts)
	return b
}

// writeBinding writes every attribute of b into a state, a plan or a list result.
func (r *appResource) writeBinding(ctx context.Context, dst attrSetter, b appBinding, diags *diag.Diagnostics) {
	set := func(name string, v any) { diags.Append(dst.SetAttribute(ctx, path.Root(name), v)...) }
	set(r.platform.Identifier.Name, b.Identifier)
	for _, name := range r.platform.FieldNames() {
		set(name, b.Fields[name])
	}
	for _, s := range r.platform.SecretNames() {
		v := b.Secrets[s]
		set(s, v.Value)
		set(writeOnlyAttr(s), v.WriteOnly)
		set(versionAttr(s), v.Version)
	}
	for name, v := range b.computed() {
		set(name, *v)
	}
	set(attrTimeouts, b.Timeouts)
}

// computed points at the computed attributes of b, by name.
func (b *appBinding) computed() map[string]*types.String {
	return map[string]*types.String{
		attrID: &b.ID, attrStatus: &b.Status, attrCreatedAt: &b.CreatedAt, attrUpdatedAt: &b.UpdatedAt, attrKeyUpdatedAt: &b.KeyUpdatedAt,
	}
}

// computedValues are the status and timestamps COC returns, which the data source shows too.
func computedValues(c *coc.Binding) map[string]string {
	return map[string]string{
		attrStatus:       c.Status,
		attrCreatedAt:    coc.FormatTimestamp(c.CreatedAt),
		attrUpdatedAt:    coc.FormatTimestamp(c.UpdatedAt),
		attrKeyUpdatedAt: coc.FormatTimestamp(c.KeyUpdatedAt),
	}
}

// remoteComputed are the computed attributes of the resource as COC returns them.
func remoteComputed(c *coc.Binding) map[string]string {
	values := computedValues(c)
	values[attrID] = c.Identifier()
	return values
}

// takeRemote puts everything COC returns about a binding (all but the secrets) into b, so that
// a binding found by terraform query is exactly what an import reads.
func (r *appResource) takeRemote(b *appBinding, c *coc.Binding) {
	b.Identifier = nullableString(c.Fields[r.platform.Identifier.Name])
	fields := map[string]types.String{}
	for _, name := range r.platform.FieldNames() {
		fields[name] = nullableString(c.Fields[name])
	}
	b.Fields = fields
	values := remoteComputed(c)
	for name, target := range b.computed() {
		*target = types.StringValue(values[name])
	}
}

// fillUnknown fills the computed attributes the plan left unknown. Values the plan already
// promised stay as promised; the next refresh reports any difference as drift.
func (b *appBinding) fillUnknown(c *coc.Binding) {
	values := remoteComputed(c)
	for name, target := range b.computed() {
		if target.IsUnknown() {
			*target = types.StringValue(values[name])
		}
	}
}

// secretValue is the value of secret s: the plaintext attribute's in the plan, else the
// write-only one's in the config.
func secretValue(plan, config appBinding, s string) types.String {
	if v := plan.Secrets[s].Value; !v.IsNull() {
		return v
	}
	return config.Secrets[s].WriteOnly
}

// bindingRequest builds a POST or PUT body: identifier and fields from the plan, and the named
// secrets from the plaintext attribute in the plan or else the write-only one in the config.
func (r *appResource) bindingRequest(plan, config appBinding, secrets []string, diags *diag.Diagnostics) coc.BindingRequest {
	body := coc.BindingRequest{Fields: map[string]string{r.platform.Identifier.Name: plan.Identifier.ValueString()}, Secrets: map[string]string{}}
	for name, v := range plan.Fields {
		body.Fields[name] = v.ValueString()
	}
	for _, s := range secrets {
		value := secretValue(plan, config, s)
		if value.IsUnknown() || value.IsNull() {
			diags.AddAttributeError(path.Root(s), "Secret Not Known at Apply",
				fmt.Sprintf("The %s app's %s must be sent to COC now, but neither %s nor %s has a value at apply time. "+
					"Give one of them a value known when applying. A write-only value is read from the configuration "+
					"at apply time, so ephemeral variables must be set again when applying a saved plan.",
					r.platform.Name, s, s, writeOnlyAttr(s)))
			continue
		}
		body.Secrets[s] = value.ValueString()
	}
	return body
}

// maskSecrets registers every secret of b, and keeps them and the provider's credentials out of
// whatever tflog writes in this call, whoever logs it.
func (r *appResource) maskSecrets(ctx context.Context, b appBinding) context.Context {
	for _, v := range b.Secrets {
		for _, s := range []types.String{v.Value, v.WriteOnly} {
			if !s.IsNull() && !s.IsUnknown() {
				r.data.secrets.Add(s.ValueString())
			}
		}
	}
	return maskLogs(ctx, r.data.secrets)
}

func nullableString(v string) types.String {
	if v == "" {
		return types.StringNull()
	}
	return types.StringValue(v)
}

// withTimeout applies the timeouts block's value for one operation.
func withTimeout(ctx context.Context, t timeouts.Value, pick func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, moreDiags := pick(t, ctx, fallback)
	diags.Append(moreDiags...)
	return context.WithTimeout(ctx, d)
}
