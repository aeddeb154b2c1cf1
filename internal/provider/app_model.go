package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The model of a binding: what a plan, a state, a config and a list result hold of it, what its
// private state keeps, and its identity. Everything a platform's resource, list resource and the
// data source share sits on appCore.

// appCore is one platform's binding code, with the provider instance it runs in.
type appCore struct {
	platform platforms.Platform
	// data is nil until the provider is configured.
	data *providerData
}

func (r appCore) typeName() string { return typeNameOf(r.platform) }

// Attributes every platform's resource has besides its own fields.
const (
	attrID           = "id"
	attrStatus       = "status"
	attrCreatedAt    = "created_at"
	attrUpdatedAt    = "updated_at"
	attrKeyUpdatedAt = "key_updated_at"
	attrTimeouts     = "timeouts"
	// attrNotificationType is what a war room on the platform sets notification_type to.
	attrNotificationType = "war_room_notification_type"
)

const (
	defaultWriteTimeout = 5 * time.Minute
	defaultReadTimeout  = 2 * time.Minute
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
	// What COC computes, and the platform's notification type.
	ID, Status, CreatedAt, UpdatedAt, KeyUpdatedAt, NotificationType types.String
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

type attrSource interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

type attrSetter interface {
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// readBinding reads a plan, a state or a config. A null one (no prior state, a new list result)
// reads as every attribute null.
func (r appCore) readBinding(ctx context.Context, src attrSource, diags *diag.Diagnostics) appBinding {
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
func (r appCore) writeBinding(ctx context.Context, dst attrSetter, b appBinding, diags *diag.Diagnostics) {
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
		attrNotificationType: &b.NotificationType,
	}
}

// computedValues are the status and timestamps COC returns, and the war rooms' notification
// type of the binding's platform, which the data source shows too.
func computedValues(c *coc.Binding) map[string]string {
	return map[string]string{
		attrStatus:           c.Status,
		attrCreatedAt:        coc.FormatTimestamp(c.CreatedAt),
		attrUpdatedAt:        coc.FormatTimestamp(c.UpdatedAt),
		attrKeyUpdatedAt:     coc.FormatTimestamp(c.KeyUpdatedAt),
		attrNotificationType: platforms.MustFor(c.AppType).NotificationType,
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
func (r appCore) takeRemote(b *appBinding, c *coc.Binding) {
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
func (r appCore) bindingRequest(plan, config appBinding, secrets []string, diags *diag.Diagnostics) coc.BindingRequest {
	body := coc.BindingRequest{Fields: map[string]string{r.platform.Identifier.Name: plan.Identifier.ValueString()}, Secrets: map[string]string{}}
	for name, v := range plan.Fields {
		body.Fields[name] = v.ValueString()
	}
	for _, s := range secrets {
		value := secretValue(plan, config, s)
		if value.IsUnknown() || value.IsNull() {
			diags.Append(secretNotKnown(r.platform, s))
			continue
		}
		body.Secrets[s] = value.ValueString()
	}
	return body
}

// maskSecrets registers every secret of b, and keeps them and the provider's credentials out of
// whatever tflog writes in this call, whoever logs it.
func (r appCore) maskSecrets(ctx context.Context, b appBinding) context.Context {
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

// What a binding keeps in the private state, as one versioned JSON document under one key.
// Providers before the document wrote each member under a key of its own; readPrivate still
// reads those, and writePrivate clears them, so a state moves to the document the first time
// the provider writes its private state (any refresh, import, create or update).

const (
	privateKey     = "binding"
	privateVersion = 1
)

// The keys providers before the document wrote, each a JSON value of a member below.
const (
	legacyAppliedKeyUpdatedAt = "applied_key_updated_at"
	legacyUnrestoredWriteOnly = "unrestored_write_only"
	legacyImportID            = "import_id"
	legacyPendingCreate       = "pending_create"
)

var legacyPrivateKeys = []string{legacyAppliedKeyUpdatedAt, legacyUnrestoredWriteOnly, legacyImportID, legacyPendingCreate}

// replacesKey holds, in a planned private state only, the identifier of the binding that a plan
// against a prior object found. Terraform plans a replacement twice, the second time with no
// prior state but with the first plan's private state, so the replacement's plan learns from it
// that the binding in its way is the one this resource unbinds first. writePrivate clears it:
// it never reaches the state.
const replacesKey = "replaces"

// bindingPrivate is a binding's private state document.
type bindingPrivate struct {
	// Version is privateVersion. A document of a later version is read for the members this
	// provider knows.
	Version int `json:"version"`
	// AppliedKeyUpdatedAt is key_updated_at as of the last time this provider set the secrets;
	// a newer value in COC means somebody changed them elsewhere. Empty when imported and
	// never applied: no baseline to compare with.
	AppliedKeyUpdatedAt string `json:"applied_key_updated_at,omitempty"`
	// UnrestoredWriteOnly maps write-only secrets changed outside Terraform, and not sent since,
	// to the key_updated_at that showed the change. COC has one key_updated_at for all of a
	// binding's secrets, so once an update sends another secret, only this keeps the drift of
	// these visible.
	UnrestoredWriteOnly map[string]string `json:"unrestored_write_only,omitempty"`
	// ImportID is the identifier an import asked for, until the first read checks it.
	ImportID *string `json:"import_id,omitempty"`
}

func (d bindingPrivate) isEmpty() bool {
	return d.AppliedKeyUpdatedAt == "" && len(d.UnrestoredWriteOnly) == 0 && d.ImportID == nil
}

type privateGetter interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// readPrivate reads the document or, in a state written before it, the separate keys.
func readPrivate(ctx context.Context, private privateGetter, diags *diag.Diagnostics) bindingPrivate {
	raw, d := private.GetKey(ctx, privateKey)
	diags.Append(d...)
	if raw == nil {
		return readLegacyPrivate(ctx, private, diags)
	}
	var doc bindingPrivate
	// Only this provider writes the document; one that does not decode counts as none, like a
	// missing baseline.
	if json.Unmarshal(raw, &doc) != nil {
		return bindingPrivate{}
	}
	return doc
}

// readLegacyPrivate reads each key as the providers that wrote it did: an unreadable one counts
// as missing. A pending create's mark is no longer read: a create nothing confirmed now fails
// and records nothing, and the next create's idempotency key settles it.
func readLegacyPrivate(ctx context.Context, private privateGetter, diags *diag.Diagnostics) bindingPrivate {
	get := func(key string) []byte {
		raw, d := private.GetKey(ctx, key)
		diags.Append(d...)
		return raw
	}
	var doc bindingPrivate
	if raw := get(legacyAppliedKeyUpdatedAt); raw != nil {
		var applied string
		if json.Unmarshal(raw, &applied) == nil {
			doc.AppliedKeyUpdatedAt = applied
		}
	}
	if raw := get(legacyUnrestoredWriteOnly); raw != nil {
		_ = json.Unmarshal(raw, &doc.UnrestoredWriteOnly)
	}
	if raw := get(legacyImportID); raw != nil {
		var id string
		if json.Unmarshal(raw, &id) == nil {
			doc.ImportID = &id
		}
	}
	return doc
}

// writePrivate stores the document, or removes it when it holds nothing, and clears the keys
// of providers before it, so that no state carries both, and the plan's replacesKey.
func writePrivate(ctx context.Context, private privateSetter, doc bindingPrivate, diags *diag.Diagnostics) {
	for _, key := range append(legacyPrivateKeys, replacesKey) {
		diags.Append(private.SetKey(ctx, key, nil)...)
	}
	var raw []byte
	if !doc.isEmpty() {
		doc.Version = privateVersion
		raw, _ = json.Marshal(doc) // a struct of strings and maps of strings always encodes
	}
	diags.Append(private.SetKey(ctx, privateKey, raw)...)
}

// writeReplaces records in a planned private state the identifier of the binding the plan's
// prior object holds (see replacesKey).
func writeReplaces(ctx context.Context, private privateSetter, identifier string, diags *diag.Diagnostics) {
	raw, _ := json.Marshal(identifier) // a string always encodes
	diags.Append(private.SetKey(ctx, replacesKey, raw)...)
}

// readReplaces returns the identifier writeReplaces recorded, or "" when the plan replaces
// nothing.
func readReplaces(ctx context.Context, private privateGetter, diags *diag.Diagnostics) string {
	raw, d := private.GetKey(ctx, replacesKey)
	diags.Append(d...)
	var identifier string
	if raw != nil && json.Unmarshal(raw, &identifier) != nil {
		return ""
	}
	return identifier
}

// setIdentity records the identifier as the resource's identity. The framework always hands
// CRUD and import a non-nil identity for a resource with an identity schema, and requires one
// after Create, Read and Update, even on Terraform versions that then discard it.
func (r appCore) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, identifier types.String, diags *diag.Diagnostics) {
	diags.Append(identity.SetAttribute(ctx, path.Root(r.platform.Identifier.Name), identifier)...)
}
