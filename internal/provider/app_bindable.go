package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// A plan that creates a binding asks COC first whether the platform is free in the tenant (one
// GET per planned create whose identifier is known), so that the plan a reviewer approves says
// what the apply would meet: a platform bound to another app fails the plan, with the same words
// and import commands as the apply would. The apply's POST checks again, so a saved plan applied
// later stays safe.

// bindability is what a planned create would meet at COC.
type bindability int

const (
	// bindable: nothing is bound.
	bindable bindability = iota
	// unbindsFirst: bound to the app that the resource this plan replaces holds, which the
	// replacement unbinds before it binds.
	unbindsFirst
	// resumesEarlierCreate: bound by an earlier create of this very binding (its idempotency key):
	// one whose answer was lost, which the apply records, or the object of a tainted resource,
	// which the apply unbinds and binds again.
	resumesEarlierCreate
	// decidedAtApply: bound to this app, but whether by this create's key cannot be told while a
	// setting is unknown.
	decidedAtApply
	// boundElsewhere: bound to another app, or to this app by somebody else; the apply would fail.
	boundElsewhere
)

// bindabilityOf decides what a create of identifier meets: bound is COC's binding (nil when none),
// replaces the identifier of the object this plan replaces ("" for none), and key the create's
// idempotency key ("" when a setting it derives from is unknown).
func bindabilityOf(bound *coc.Binding, identifier, replaces, key string) bindability {
	switch {
	case bound == nil:
		return bindable
	case replaces != "" && bound.Identifier() == replaces:
		return unbindsFirst
	case key != "" && bound.IdempotencyKey == key:
		return resumesEarlierCreate
	case key == "" && bound.Identifier() == identifier:
		return decidedAtApply
	}
	return boundElsewhere
}

// checkBindable asks COC what a planned create would meet, and reports it. A create whose
// identifier is not known yet is checked by the apply.
func (r appCore) checkBindable(ctx context.Context, config, plan appBinding, replaces string, diags *diag.Diagnostics) {
	if plan.Identifier.IsUnknown() {
		return
	}
	identifier := plan.Identifier.ValueString()
	key := ""
	if plan.settingsKnown() {
		var err error
		if key, err = r.data.client.CreateKey(r.platform.AppType, r.bindingRequest(plan, config, nil, diags)); err != nil {
			diags.Append(apiError(r.data.reach, r.platform.Name, "check", err)...)
			return
		}
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts, timeouts.Value.Read, defaultReadTimeout, diags)
	defer cancel()
	bound, err := r.data.client.GetBinding(ctx, r.platform.AppType)
	switch {
	case errors.Is(err, coc.ErrNotBound):
		bound = nil
	case err != nil:
		diags.Append(apiError(r.data.reach, r.platform.Name, "check", err)...)
		return
	}
	switch bindabilityOf(bound, identifier, replaces, key) {
	case resumesEarlierCreate:
		diags.Append(boundByEarlierCreate(r.platform, identifier))
	case boundElsewhere:
		diags.Append(alreadyBound(r.platform, bound.Identifier(), false, fmt.Sprintf("Found while planning: GET %s/%s answered the binding of %s %q.",
			coc.MobileAppsPath, r.platform.AppType, r.platform.Identifier.Name, bound.Identifier())))
	}
}

// settingsKnown reports whether the identifier and every plain field are known: what a create's
// idempotency key derives from.
func (b appBinding) settingsKnown() bool {
	if b.Identifier.IsUnknown() {
		return false
	}
	for _, v := range b.Fields {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}
