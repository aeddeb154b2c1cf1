package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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

// appResource is the one implementation behind every platform's coc_<app_type>_app resource.
// Everything platform-specific comes from the platform's description.
type appResource struct {
	platform platforms.Platform
	data     *providerData
}

func newAppResource(p platforms.Platform) *appResource { return &appResource{platform: p} }

// boundIdentifier quotes the identifier of the binding an ErrAlreadyBound or ErrOtherAppBound
// found in the way, or says unknown when it could not be read.
func boundIdentifier(err error, unknown string) string {
	var apiErr *coc.APIError
	if errors.As(err, &apiErr) && apiErr.Bound != nil {
		return strconv.Quote(apiErr.Bound.Identifier())
	}
	return unknown
}

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
			resourcevalidator.ExactlyOneOf(path.MatchRoot(s), path.MatchRoot(writeOnlyAttr(s))),
			resourcevalidator.RequiredTogether(path.MatchRoot(writeOnlyAttr(s)), path.MatchRoot(versionAttr(s))),
		)
	}
	return validators
}

// Create binds the app. A create that nothing confirmed fails and records nothing, so that
// nothing that depends on the binding runs; the next apply sends the same request with the same
// idempotency key, and COC's answer settles it (see createNotConfirmed).
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
		r.data.addAPIError(&resp.Diagnostics, r.platform.Name, "create", err)
		return
	}
	if !r.data.creates.claim(key) {
		r.addDeclaredTwice(&resp.Diagnostics, plan.Identifier.ValueString())
		return
	}
	created, err := r.data.client.CreateBinding(ctx, r.platform.AppType, body)
	if errors.Is(err, coc.ErrOutcomeUnknown) {
		r.createNotConfirmed(&resp.Diagnostics, plan.Identifier.ValueString(), err)
		return
	}
	if err != nil {
		r.addConflictOrError(&resp.Diagnostics, "create", err)
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
	if !r.checkImportedIdentifier(&private, binding, &resp.Diagnostics) {
		return
	}
	if binding.Identifier() != state.Identifier.ValueString() {
		r.forgetReplacedApp(ctx, resp, state.Identifier.ValueString(), binding.Identifier())
		return
	}
	r.takeRemote(&state, binding)
	r.writeBinding(ctx, &resp.State, state, &resp.Diagnostics)
	writePrivate(ctx, resp.Private, private, &resp.Diagnostics)
}

// stateNamesTheApp checks that the state says which app it binds. Only a state edited by hand
// lacks the identifier, and then nothing can be read, changed or unbound: any binding COC holds
// could be somebody else's.
func (r *appResource) stateNamesTheApp(state appBinding, diags *diag.Diagnostics) bool {
	if !state.Identifier.IsNull() && !state.Identifier.IsUnknown() && state.Identifier.ValueString() != "" {
		return true
	}
	id := r.platform.Identifier.Name
	diags.AddAttributeError(path.Root(id), fmt.Sprintf("State of %s Binding Has No %s", r.platform.Name, id), fmt.Sprintf(
		"The state of this %[1]s resource has no %[2]s, probably because it was edited by hand, so Terraform cannot tell which app "+
			"it binds and leaves every binding alone. Remove it from the state with terraform state rm (the resource's address), then "+
			"import the bound app with an import block or terraform import, using its %[2]s as the ID (the coc_mobile_apps data source "+
			"and the console's Mobile App Management page list it).", r.platform.Name, id))
	return false
}

// forgetReplacedApp handles an app replaced by another one on the console. The binding this
// resource managed is gone, as if unbound; adopting the other app instead would change the
// resource's identity in place and silently take over a binding nobody asked Terraform to manage.
func (r *appResource) forgetReplacedApp(ctx context.Context, resp *resource.ReadResponse, managed, bound string) {
	resp.Diagnostics.AddAttributeWarning(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Replaced Outside Terraform", r.platform.Name),
		r.replacedDetail(managed, strconv.Quote(bound), "Terraform treats %[4]q as unbound and plans to bind it again, which fails while %[3]s is bound."))
	resp.State.RemoveResource(ctx)
}

// replacedDetail explains an app replaced on the console (managed is the state's identifier,
// bound COC's, quoted), with what Terraform does about it in consequence (a format over the same
// arguments), and the two ways on, in the order that works: an import block is ignored for an
// address that is still in the state.
func (r *appResource) replacedDetail(managed, bound, consequence string) string {
	return fmt.Sprintf("The %[1]s app bound in this tenant now has %[2]s %[3]s, not %[4]q: it was probably replaced on the console. "+
		consequence+" A tenant binds one %[1]s app.\n\n"+
		"To manage %[3]s instead: run terraform apply -refresh-only, so that the state forgets %[4]q (Terraform ignores an import "+
		"into an address that is still in the state); then set %[2]s to %[3]s and import it with that ID.\n\n"+
		"To bind %[4]q again instead: unbind %[3]s on the console, then run terraform apply.",
		r.platform.Name, r.platform.Identifier.Name, bound, managed)
}

// checkImportedIdentifier refuses an import whose ID is not the bound app: adopting a different
// binding than the one asked for would surprise whoever wrote the import. Once checked, the
// import ID is forgotten.
func (r *appResource) checkImportedIdentifier(private *bindingPrivate, binding *coc.Binding, diags *diag.Diagnostics) bool {
	if private.ImportID == nil {
		return true
	}
	if wanted := *private.ImportID; wanted != binding.Identifier() {
		diags.AddError("Import ID Does Not Match the Bound App",
			fmt.Sprintf("The import names %[3]s %[1]q, but the %[2]s app bound in this tenant has %[3]s %[4]q. A tenant binds one %[2]s "+
				"app; import it with the ID %[4]q (or the identity %[3]s = %[4]q).", wanted, r.platform.Name, r.platform.Identifier.Name, binding.Identifier()))
		return false
	}
	private.ImportID = nil
	return true
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
		resp.Diagnostics.AddError(fmt.Sprintf("%s App Was Unbound During Apply", r.platform.Name),
			fmt.Sprintf("The %s binding was deleted outside Terraform after this plan was made. Run terraform apply again: "+
				"the next plan will bind it anew.\n\n%s", r.platform.Name, err))
		return
	case errors.Is(err, coc.ErrOtherAppBound):
		resp.Diagnostics.AddAttributeError(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Replaced Outside Terraform", r.platform.Name),
			r.replacedDetail(prior.Identifier.ValueString(), boundIdentifier(err, "(named in COC's message below)"),
				"This apply changed nothing: COC refused to update %[4]q, which is no longer bound.")+"\n\n"+err.Error())
		return
	case err != nil:
		r.data.addAPIError(&resp.Diagnostics, r.platform.Name, "update", err)
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
		resp.Diagnostics.AddAttributeWarning(path.Root(r.platform.Identifier.Name), fmt.Sprintf("Another %s App Is Bound: Left Alone", r.platform.Name),
			fmt.Sprintf("Terraform was to unbind the %[1]s app with %[2]s %[3]q, but COC binds %[4]s in its place: it was probably replaced "+
				"on the console after this plan was made. %[3]q is no longer bound, so Terraform removes it from the state, and it left %[4]s "+
				"bound: Terraform unbinds only the app its state names. If %[4]s should go too, unbind it on the console, or import "+
				"it and destroy it.\n\n%[5]s", r.platform.Name, r.platform.Identifier.Name, identifier, boundIdentifier(err, "the app COC's message names"), err))
	default:
		// Anything else, a gateway's 404 or a login page answering 200 included, leaves the binding
		// in the state.
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
	imported := r.readBinding(ctx, resp.State, &resp.Diagnostics)
	imported.ID = imported.Identifier
	r.writeBinding(ctx, &resp.State, imported, &resp.Diagnostics)
	r.setIdentity(ctx, resp.Identity, imported.Identifier, &resp.Diagnostics)
	id := imported.Identifier.ValueString()
	writePrivate(ctx, resp.Private, bindingPrivate{ImportID: &id}, &resp.Diagnostics)
}
