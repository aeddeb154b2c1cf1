package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Attributes every platform's resource has besides its own fields.
const (
	attrID           = "id"
	attrStatus       = "status"
	attrCreatedAt    = "created_at"
	attrUpdatedAt    = "updated_at"
	attrKeyUpdatedAt = "key_updated_at"
	attrTimeouts     = "timeouts"

	writeOnlySuffix = "_wo"
	versionSuffix   = "_wo_version"

	// privateAppliedKeyUpdatedAt remembers key_updated_at as of the last time this provider set
	// the secrets; a newer value in COC means somebody changed them elsewhere.
	privateAppliedKeyUpdatedAt = "applied_key_updated_at"
	// privateUnrestoredWriteOnly maps write-only secrets changed outside Terraform, and not sent
	// since, to the key_updated_at that showed the change. COC has one key_updated_at for all
	// of a binding's secrets, so once an update sends another secret, only this keeps the
	// drift of these visible.
	privateUnrestoredWriteOnly = "unrestored_write_only"
	// privateImportID remembers the identifier an import asked for until the first read checks it.
	privateImportID = "import_id"
)

const (
	defaultWriteTimeout = 5 * time.Minute
	defaultReadTimeout  = 2 * time.Minute
)

var (
	_ resource.ResourceWithConfigure        = &appResource{}
	_ resource.ResourceWithImportState      = &appResource{}
	_ resource.ResourceWithModifyPlan       = &appResource{}
	_ resource.ResourceWithConfigValidators = &appResource{}
)

// appResource is the one implementation behind coc_wecom_app, coc_dingtalk_app and
// coc_lark_app. Everything platform-specific comes from the platform's description.
type appResource struct {
	platform platforms.Platform
	data     *providerData
}

func newAppResource(p platforms.Platform) *appResource { return &appResource{platform: p} }

func (r *appResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.typeName()
}

func (r *appResource) typeName() string { return "coc_" + string(r.platform.AppType) + "_app" }

func (r *appResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *appResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	var validators []resource.ConfigValidator
	for _, s := range r.platform.SecretNames() {
		validators = append(validators,
			resourcevalidator.ExactlyOneOf(path.MatchRoot(s), path.MatchRoot(s+writeOnlySuffix)),
			resourcevalidator.RequiredTogether(path.MatchRoot(s+writeOnlySuffix), path.MatchRoot(s+versionSuffix)),
		)
	}
	return validators
}

func (r *appResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel := withTimeout(ctx, req.Plan, timeouts.Value.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, req.Config)
	body := r.bindingRequest(ctx, req.Plan, req.Config, r.platform.SecretNames(), &resp.Diagnostics)
	r.verifyBeforeSend(ctx, req.Config, body, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	binding, err := r.data.client.CreateBinding(ctx, r.platform.AppType, body)
	if errors.Is(err, coc.ErrOutcomeUnknown) {
		r.savePendingCreate(ctx, req, resp, body, err)
		return
	}
	if err != nil {
		r.addConflictOrError(&resp.Diagnostics, "create", err)
		return
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	r.setComputed(ctx, &resp.State, req.Plan, binding, &resp.Diagnostics)
	setAppliedKeyUpdatedAt(ctx, resp.Private, binding, &resp.Diagnostics)
	r.setIdentity(ctx, resp.Identity, types.StringValue(binding.Identifier()), &resp.Diagnostics)
}

func (r *appResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel := withTimeout(ctx, req.State, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, req.State)
	binding, err := r.data.client.GetBinding(ctx, r.platform.AppType)
	identifier := stringAt(ctx, req.State, r.platform.Identifier.Name, &resp.Diagnostics)
	// Even a binding that is gone keeps its identity: the framework requires one after every
	// read, and Terraform 1.11 sends none to keep.
	r.setIdentity(ctx, resp.Identity, identifier, &resp.Diagnostics)
	if errors.Is(err, coc.ErrNotBound) {
		// COC says it was unbound outside Terraform: forgetting it makes the next plan create it
		// again. Any other answer (a gateway's 404 among them) says nothing about it and fails.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		r.data.addAPIError(&resp.Diagnostics, r.platform.Name, "read", err)
		return
	}
	if !r.checkImportedIdentifier(ctx, req, resp, binding) {
		return
	}
	if binding.Identifier() != identifier.ValueString() {
		r.forgetReplacedApp(ctx, resp, identifier.ValueString(), binding.Identifier())
		return
	}
	if !r.resolvePendingCreate(ctx, req, resp, binding) {
		return
	}
	r.setBinding(ctx, &resp.State, binding, &resp.Diagnostics)
}

// forgetReplacedApp handles an app replaced by another one on the console. The binding this
// resource managed is gone, as if unbound; adopting the other app instead would change the
// resource's identity in place and silently take over a binding nobody asked Terraform to manage.
func (r *appResource) forgetReplacedApp(ctx context.Context, resp *resource.ReadResponse, managed, bound string) {
	resp.Diagnostics.AddAttributeWarning(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Replaced Outside Terraform", r.platform.Name),
		fmt.Sprintf("The %[1]s app bound in this tenant now has %[2]s %[3]q, not %[4]q: it was probably replaced on the console. "+
			"Terraform treats %[4]q as unbound and plans to bind it again, which fails while %[3]q is bound, because a tenant binds "+
			"one %[1]s app. To manage %[3]q instead, set %[2]s to %[3]q and import it with the ID %[3]q.",
			r.platform.Name, r.platform.Identifier.Name, bound, managed))
	resp.State.RemoveResource(ctx)
}

type attrSetter interface {
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// setBinding writes everything COC returns about a binding (all but the secrets) into a state
// or a list result, so that a binding found by terraform query is exactly what an import reads.
func (r *appResource) setBinding(ctx context.Context, target attrSetter, b *coc.Binding, diags *diag.Diagnostics) {
	for _, name := range r.platform.NonSecretNames() {
		diags.Append(target.SetAttribute(ctx, path.Root(name), nullableString(b.Fields[name]))...)
	}
	diags.Append(target.SetAttribute(ctx, path.Root(attrID), b.Identifier())...)
	for name, value := range computedValues(b) {
		diags.Append(target.SetAttribute(ctx, path.Root(name), value)...)
	}
}

// checkImportedIdentifier refuses an import whose ID is not the bound app: adopting a different
// binding than the one asked for would surprise whoever wrote the import.
func (r *appResource) checkImportedIdentifier(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, binding *coc.Binding) bool {
	var wanted string
	found, err := privateJSON(ctx, req.Private, privateImportID, &wanted, &resp.Diagnostics)
	if !found {
		return true
	}
	if err == nil && wanted != binding.Identifier() {
		resp.Diagnostics.AddError("Import ID Does Not Match the Bound App",
			fmt.Sprintf("The import names %[3]s %[1]q, but the %[2]s app bound in this tenant has %[3]s %[4]q. A tenant binds one %[2]s "+
				"app; import it with the ID %[4]q (or the identity %[3]s = %[4]q).", wanted, r.platform.Name, r.platform.Identifier.Name, binding.Identifier()))
		return false
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImportID, nil)...)
	return true
}

func (r *appResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel := withTimeout(ctx, req.Plan, timeouts.Value.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, req.Config)
	changes := r.secretChanges(ctx, req.Config, req.Plan, req.State, req.Private, &resp.Diagnostics)
	body := r.bindingRequest(ctx, req.Plan, req.Config, changes.send, &resp.Diagnostics)
	r.verifyBeforeSend(ctx, req.Config, body, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	binding, err := r.data.client.UpdateBinding(ctx, r.platform.AppType, body)
	if errors.Is(err, coc.ErrNotBound) {
		resp.Diagnostics.AddError(fmt.Sprintf("%s App Was Unbound During Apply", r.platform.Name),
			fmt.Sprintf("The %s binding was deleted outside Terraform after this plan was made. Run terraform apply again: "+
				"the next plan will bind it anew.\n\n%s", r.platform.Name, err))
		return
	}
	if err != nil {
		r.data.addAPIError(&resp.Diagnostics, r.platform.Name, "update", err)
		return
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	r.setComputed(ctx, &resp.State, req.Plan, binding, &resp.Diagnostics)
	if len(changes.send) > 0 {
		setAppliedKeyUpdatedAt(ctx, resp.Private, binding, &resp.Diagnostics)
		var unrestored []byte
		if len(changes.needsVersionBump) > 0 {
			since := map[string]string{}
			for _, u := range changes.needsVersionBump {
				since[u.name] = u.since
			}
			unrestored, _ = json.Marshal(since)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnrestoredWriteOnly, unrestored)...)
	}
	// The identifier forces replacement, so an update never changes the identity.
	r.setIdentity(ctx, resp.Identity, stringAt(ctx, req.Plan, r.platform.Identifier.Name, &resp.Diagnostics), &resp.Diagnostics)
}

func (r *appResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel := withTimeout(ctx, req.State, timeouts.Value.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, req.State)
	err := r.data.client.DeleteBinding(ctx, r.platform.AppType)
	// COC's "not bound" means the goal is reached, whether it was unbound on the console or by an
	// earlier attempt of this very request whose answer was lost. Anything else, a gateway's 404
	// or a login page answering 200 included, leaves the binding in the state.
	if err != nil && !errors.Is(err, coc.ErrNotBound) {
		r.data.addAPIError(&resp.Diagnostics, r.platform.Name, "delete", err)
	}
}

// ImportState takes the identifier from the import ID or, on Terraform 1.12 and later, from the
// identity; either way the first read checks that it names the bound app.
func (r *appResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	identifierPath := path.Root(r.platform.Identifier.Name)
	resource.ImportStatePassthroughWithIdentity(ctx, identifierPath, identifierPath, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	identifier := stringAt(ctx, resp.State, r.platform.Identifier.Name, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attrID), identifier)...)
	r.setIdentity(ctx, resp.Identity, identifier, &resp.Diagnostics)
	id, _ := json.Marshal(identifier.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImportID, id)...)
}

// ModifyPlan makes the plan say exactly what the update will do: key_updated_at becomes unknown
// only when secrets will be sent (so a change of service_id alone keeps it), and a key changed
// outside Terraform turns into an update that re-sends the configured secret, with a warning;
// a write-only one cannot be re-sent, so it gets a warning to increase its version instead.
// A plan that creates or changes the binding also obtains the credentials the apply will need,
// and checks the app secrets it will send with their platform when verify_app_credentials is on.
func (r *appResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: the refresh before it has needed the credentials already
	}
	if req.State.Raw.IsNull() {
		r.verifyPlan(ctx, req, resp, nil)
		r.data.checkCredentials(ctx, r.platform.Name, &resp.Diagnostics)
		return // create: nothing to refine
	}
	changes := r.secretChanges(ctx, req.Config, req.Plan, req.State, req.Private, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(changes.send) > 0 {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrKeyUpdatedAt), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrUpdatedAt), types.StringUnknown())...)
	} else {
		var prior types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrKeyUpdatedAt), &prior)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrKeyUpdatedAt), prior)...)
	}
	// Terraform folds warnings with equal summaries into "N more similar warnings", so each
	// summary names its attribute and binding.
	identifier := stringAt(ctx, req.State, r.platform.Identifier.Name, &resp.Diagnostics).ValueString()
	for _, s := range changes.resent {
		resp.Diagnostics.AddAttributeWarning(path.Root(s),
			fmt.Sprintf("Secret Changed Outside Terraform: Re-sending %s of %s App %s", s, r.platform.Name, identifier),
			fmt.Sprintf("COC reports that the secrets of the %s app were changed at %s, after Terraform last set them (%s), "+
				"probably on the console. This plan re-sends %s from the configuration to restore it. If the new secret is "+
				"intended, put it in the configuration instead.", r.platform.Name, changes.drift.now, changes.drift.applied, s))
	}
	// For a write-only secret this warning is the only sign of the drift: the plan is empty.
	for _, u := range changes.needsVersionBump {
		s := u.name
		resp.Diagnostics.AddAttributeWarning(path.Root(s+versionSuffix),
			fmt.Sprintf("Write-Only Secret Changed Outside Terraform: Increase %s of %s App %s", s+versionSuffix, r.platform.Name, identifier),
			fmt.Sprintf("COC reports that the secrets of the %s app were changed at %s, probably on the console, and Terraform "+
				"has not set %s since. Terraform cannot re-send %s%s because write-only values are never stored. To restore "+
				"the configured secret, increase %s%s. If the new secret is intended, set %s%s to it and increase %s%s.",
				r.platform.Name, u.since, s, s, writeOnlySuffix, s, versionSuffix, s, writeOnlySuffix, s, versionSuffix))
	}
	r.verifyPlan(ctx, req, resp, changes.send)
	if !resp.Plan.Raw.Equal(req.State.Raw) {
		r.data.checkCredentials(ctx, r.platform.Name, &resp.Diagnostics)
	}
}

type attrSource interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// bindingRequest builds a POST or PUT body: identifier and fields from the plan, and the named
// secrets from the plaintext attribute in the plan or else the write-only one in the config.
func (r *appResource) bindingRequest(ctx context.Context, plan tfsdk.Plan, config tfsdk.Config, secrets []string, diags *diag.Diagnostics) coc.BindingRequest {
	body := coc.BindingRequest{Fields: map[string]string{}, Secrets: map[string]string{}}
	for _, name := range r.platform.NonSecretNames() {
		body.Fields[name] = stringAt(ctx, plan, name, diags).ValueString()
	}
	for _, s := range secrets {
		value := r.secretValue(ctx, plan, config, s, diags)
		if value.IsUnknown() || value.IsNull() {
			diags.AddAttributeError(path.Root(s), "Secret Not Known at Apply",
				fmt.Sprintf("The %s app's %s must be sent to COC now, but neither %s nor %s%s has a value at apply time. "+
					"Give one of them a value known when applying. A write-only value is read from the configuration "+
					"at apply time, so ephemeral variables must be set again when applying a saved plan.",
					r.platform.Name, s, s, s, writeOnlySuffix))
			continue
		}
		body.Secrets[s] = value.ValueString()
	}
	return body
}

// setComputed fills the computed attributes the plan left unknown. Values the plan already
// promised stay as promised; the next refresh reports any difference as drift.
func (r *appResource) setComputed(ctx context.Context, state *tfsdk.State, plan tfsdk.Plan, b *coc.Binding, diags *diag.Diagnostics) {
	values := computedValues(b)
	values[attrID] = b.Identifier()
	for name, value := range values {
		if stringAt(ctx, plan, name, diags).IsUnknown() {
			diags.Append(state.SetAttribute(ctx, path.Root(name), value)...)
		}
	}
}

func computedValues(b *coc.Binding) map[string]string {
	return map[string]string{
		attrStatus:       b.Status,
		attrCreatedAt:    coc.FormatTimestamp(b.CreatedAt),
		attrUpdatedAt:    coc.FormatTimestamp(b.UpdatedAt),
		attrKeyUpdatedAt: coc.FormatTimestamp(b.KeyUpdatedAt),
	}
}

// maskSecrets keeps every secret this resource handles, and the provider's credentials, out of
// whatever tflog writes in this call, whoever logs it.
func (r *appResource) maskSecrets(ctx context.Context, src attrSource) context.Context {
	var ignored diag.Diagnostics
	values := r.data.secrets.Values()
	for _, s := range r.platform.SecretNames() {
		for _, name := range []string{s, s + writeOnlySuffix} {
			if v := stringAt(ctx, src, name, &ignored); !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
				values = append(values, v.ValueString())
			}
		}
	}
	return maskLogs(ctx, values)
}

func stringAt(ctx context.Context, src attrSource, name string, diags *diag.Diagnostics) types.String {
	var v types.String
	diags.Append(src.GetAttribute(ctx, path.Root(name), &v)...)
	return v
}

func int64At(ctx context.Context, src attrSource, name string, diags *diag.Diagnostics) types.Int64 {
	var v types.Int64
	diags.Append(src.GetAttribute(ctx, path.Root(name), &v)...)
	return v
}

func nullableString(v string) types.String {
	if v == "" {
		return types.StringNull()
	}
	return types.StringValue(v)
}

// withTimeout applies the timeouts block's value for one operation.
func withTimeout(ctx context.Context, src attrSource, pick func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var t timeouts.Value
	diags.Append(src.GetAttribute(ctx, path.Root(attrTimeouts), &t)...)
	d, moreDiags := pick(t, ctx, fallback)
	diags.Append(moreDiags...)
	return context.WithTimeout(ctx, d)
}
