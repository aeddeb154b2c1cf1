package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

var (
	_ resource.ResourceWithConfigure        = &appResource{}
	_ resource.ResourceWithConfigValidators = &appResource{}
	_ resource.ResourceWithModifyPlan       = &appResource{}
	_ resource.ResourceWithImportState      = &appResource{}
	_ resource.ResourceWithIdentity         = &appResource{}
)

// appResource is the one implementation behind every platform's coc_<app_type>_app resource.
// Everything platform-specific comes from the platform's description. Its methods are the
// framework's, in the order the framework calls them; what they share sits on appCore.
type appResource struct {
	appCore
}

func newAppResource(p platforms.Platform) *appResource { return &appResource{appCore{platform: p}} }

func (r *appResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.typeName()
}

func (r *appResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema(ctx)
}

func (r *appResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.identitySchema()
}

func (r *appResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *appResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	var validators []resource.ConfigValidator
	for _, s := range r.platform.SecretNames() {
		validators = append(validators,
			resourcevalidator.ExactlyOneOf(path.MatchRoot(s), path.MatchRoot(writeOnlyAttr(s))),
			resourcevalidator.RequiredTogether(path.MatchRoot(writeOnlyAttr(s)), path.MatchRoot(versionAttr(s))),
		)
	}
	return validators
}

// ModifyPlan makes the plan say exactly what the update will do: key_updated_at becomes unknown
// only when secrets will be sent (so a change of service_id alone keeps it), and a key changed
// outside Terraform turns into an update that re-sends the configured secret, with a warning;
// a write-only one cannot be re-sent, so it gets a warning to increase its version instead.
// A plan that creates or changes the binding also obtains the credentials the apply will need,
// and checks the app secrets it will send with their platform when verify_app_credentials is on;
// a plan that creates one asks COC whether the platform is free (checkBindable). Every plan that
// keeps or makes the binding, an empty one too, then checks whether it can open a war room
// (checkReadiness).
func (r *appResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: the refresh before it has needed the credentials already
	}
	if r.data == nil {
		return // not configured yet: validating, or planning with provider arguments known only at apply
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
		if !resp.Diagnostics.HasError() {
			r.checkReadiness(ctx, config, plan, &resp.Diagnostics)
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
	identifier := prior.Identifier.ValueString()
	for _, s := range changes.resent {
		resp.Diagnostics.Append(secretResent(r.platform, identifier, s, changes.drift.now, changes.drift.applied))
	}
	for _, u := range changes.needsVersionBump {
		resp.Diagnostics.Append(writeOnlySecretDrift(r.platform, identifier, u.name, u.since))
	}
	r.verifyPlan(ctx, config, plan, prior, changes.send, &resp.Diagnostics)
	if !resp.Plan.Raw.Equal(req.State.Raw) {
		r.data.checkCredentials(ctx, r.platform.Name, &resp.Diagnostics)
	}
	if !resp.Diagnostics.HasError() {
		r.checkReadiness(ctx, config, plan, &resp.Diagnostics)
	}
}

// Create binds the app. A create that nothing confirmed fails and records nothing, so that
// nothing that depends on the binding runs; the next apply sends the same request with the same
// idempotency key, and COC's answer settles it (see notConfirmed).
func (r *appResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	config := r.readBinding(ctx, req.Config, &resp.Diagnostics)
	plan := r.readBinding(ctx, req.Plan, &resp.Diagnostics)
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, config)
	body := r.bindingRequest(plan, config, r.platform.SecretNames(), &resp.Diagnostics)
	r.verifyBeforeSend(ctx, config, body, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	key, err := r.data.client.CreateKey(r.platform.AppType, body)
	if err != nil {
		resp.Diagnostics.Append(apiError(r.data.reach, r.platform.Name, "create", err)...)
		return
	}
	if !r.data.creates.claim(key) {
		resp.Diagnostics.Append(declaredTwice(r.platform, plan.Identifier.ValueString()))
		return
	}
	created, err := r.data.client.CreateBinding(ctx, r.platform.AppType, body)
	if errors.Is(err, coc.ErrOutcomeUnknown) {
		resp.Diagnostics.Append(notConfirmed(r.data.reach, r.platform, plan.Identifier.ValueString(), err))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(createFailed(r.data.reach, r.platform, err)...)
		return
	}
	if created.Replayed {
		r.data.creates.adoptedByReplay(r.platform.AppType, created.Identifier())
	}
	plan.fillUnknown(&created.Binding)
	r.writeBinding(ctx, &resp.State, plan, &resp.Diagnostics)
	writePrivate(ctx, resp.Private, bindingPrivate{AppliedKeyUpdatedAt: coc.FormatTimestamp(created.KeyUpdatedAt)}, &resp.Diagnostics)
	r.setIdentity(ctx, resp.Identity, types.StringValue(created.Identifier()), &resp.Diagnostics)
}

func (r *appResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := r.readBinding(ctx, req.State, &resp.Diagnostics)
	private := readPrivate(ctx, req.Private, &resp.Diagnostics)
	if !r.stateNamesTheApp(state, &resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, state)
	binding, err := r.data.client.GetBinding(ctx, r.platform.AppType)
	// Even a binding that is gone keeps its identity: the framework requires one after every
	// read, and Terraform 1.11 sends none to keep.
	r.setIdentity(ctx, resp.Identity, state.Identifier, &resp.Diagnostics)
	switch {
	case errors.Is(err, coc.ErrNotBound):
		// COC says it was unbound outside Terraform: forgetting it makes the next plan create it
		// again. Any other answer (a gateway's 404 among them) says nothing about it and fails.
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		resp.Diagnostics.Append(apiError(r.data.reach, r.platform.Name, "read", err)...)
		return
	}
	// An import ID that is not the bound app is refused: adopting a different binding than the
	// one asked for would surprise whoever wrote the import. Once checked, it is forgotten.
	if private.ImportID != nil && *private.ImportID != binding.Identifier() {
		resp.Diagnostics.Append(importIDMismatch(r.platform, *private.ImportID, binding.Identifier()))
		return
	}
	private.ImportID = nil
	if managed := state.Identifier.ValueString(); binding.Identifier() != managed {
		// Replaced on the console: the binding this resource managed is gone, as if unbound.
		// Adopting the other app instead would change the resource's identity in place and
		// silently take over a binding nobody asked Terraform to manage.
		resp.Diagnostics.Append(appReplacedAtRead(r.platform, managed, binding.Identifier()))
		resp.State.RemoveResource(ctx)
		return
	}
	r.takeRemote(&state, binding)
	r.writeBinding(ctx, &resp.State, state, &resp.Diagnostics)
	writePrivate(ctx, resp.Private, private, &resp.Diagnostics)
}

func (r *appResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	config := r.readBinding(ctx, req.Config, &resp.Diagnostics)
	plan := r.readBinding(ctx, req.Plan, &resp.Diagnostics)
	prior := r.readBinding(ctx, req.State, &resp.Diagnostics)
	private := readPrivate(ctx, req.Private, &resp.Diagnostics)
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, config)
	changes := secretChanges(r.platform.SecretNames(), config, plan, prior, private)
	body := r.bindingRequest(plan, config, changes.send, &resp.Diagnostics)
	r.verifyBeforeSend(ctx, config, body, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The PUT names the app by its identifier: COC refuses it, changing nothing, if another is bound.
	binding, err := r.data.client.UpdateBinding(ctx, r.platform.AppType, body)
	switch {
	case errors.Is(err, coc.ErrNotBound):
		resp.Diagnostics.Append(unboundDuringApply(r.platform, err))
		return
	case errors.Is(err, coc.ErrOtherAppBound):
		resp.Diagnostics.Append(appReplacedAtUpdate(r.platform, prior.Identifier.ValueString(), err))
		return
	case err != nil:
		resp.Diagnostics.Append(apiError(r.data.reach, r.platform.Name, "update", err)...)
		return
	}
	plan.fillUnknown(binding)
	r.writeBinding(ctx, &resp.State, plan, &resp.Diagnostics)
	writePrivate(ctx, resp.Private, changes.afterUpdate(private, coc.FormatTimestamp(binding.KeyUpdatedAt)), &resp.Diagnostics)
	// The identifier forces replacement, so an update never changes the identity.
	r.setIdentity(ctx, resp.Identity, plan.Identifier, &resp.Diagnostics)
}

// Delete unbinds the app the state names, and no other: the DELETE names it, and COC refuses it,
// unbinding nothing, when another app is bound.
func (r *appResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := r.readBinding(ctx, req.State, &resp.Diagnostics)
	if !r.stateNamesTheApp(state, &resp.Diagnostics) {
		return
	}
	identifier := state.Identifier.ValueString()
	if r.data.creates.wasAdoptedByReplay(r.platform.AppType, identifier) {
		// The create half of this create_before_destroy replacement holds the binding now.
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts, timeouts.Value.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ctx = r.maskSecrets(ctx, state)
	err := r.data.client.DeleteBinding(ctx, r.platform.AppType, identifier)
	switch {
	// COC's "not bound" means the goal is reached, whether it was unbound on the console or by an
	// earlier attempt of this very request whose answer was lost.
	case err == nil, errors.Is(err, coc.ErrNotBound):
	case errors.Is(err, coc.ErrOtherAppBound):
		// The app this resource bound is no longer bound, which is what a destroy is for.
		resp.Diagnostics.Append(otherAppLeftAlone(r.platform, identifier, err))
	default:
		// Anything else, a gateway's 404 or a login page answering 200 included, leaves the binding
		// in the state.
		resp.Diagnostics.Append(apiError(r.data.reach, r.platform.Name, "delete", err)...)
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
	imported := r.readBinding(ctx, resp.State, &resp.Diagnostics)
	imported.ID = imported.Identifier
	r.writeBinding(ctx, &resp.State, imported, &resp.Diagnostics)
	r.setIdentity(ctx, resp.Identity, imported.Identifier, &resp.Diagnostics)
	id := imported.Identifier.ValueString()
	writePrivate(ctx, resp.Private, bindingPrivate{ImportID: &id}, &resp.Diagnostics)
}

// stateNamesTheApp checks that the state says which app it binds. Only a state edited by hand
// lacks the identifier, and then nothing can be read, changed or unbound: any binding COC holds
// could be somebody else's.
func (r *appResource) stateNamesTheApp(state appBinding, diags *diag.Diagnostics) bool {
	if !state.Identifier.IsNull() && !state.Identifier.IsUnknown() && state.Identifier.ValueString() != "" {
		return true
	}
	diags.Append(stateWithoutIdentifier(r.platform))
	return false
}
