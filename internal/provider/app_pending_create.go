package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// A create whose outcome is unknown (COC may have made the binding, but its answer and the
// read-back were lost, or the apply was interrupted or timed out once the request was sent) must
// not lose the binding, nor make the next apply ask for an import of what this configuration
// made. Create saves the binding as made, with a mark of what it sent, and the next refresh
// settles it: COC holds what was sent → keep it and re-send the secrets with one update; nothing
// bound → forget it, so the plan creates it; anything else → forget it with a warning, so that a
// binding made by hand is never taken over.
//
// Create reports this with a warning, not an error. Terraform (1.11 and 1.14 alike, and OpenTofu
// 1.12) taints an object that a create returns together with an error, and plans a tainted object
// as a replacement whatever the provider says: it plans it as a new object with a null prior
// state and no private state, and no response of Read or of the plan can clear the taint. Here a
// replacement would unbind the app that the refresh has just found bound. An untainted object
// becomes one update instead. An interrupted apply still fails (Terraform's own "execution
// halted"); a timed-out one, or one whose read-backs were lost, ends with this warning.

// pendingCreate is what this resource sent in a create whose outcome is unknown. It holds nothing
// of the secrets, not even a hash: COC never returns secrets, so a hash could be compared with
// nothing, and it would put secret-derived bytes into the state.
type pendingCreate struct {
	Identifier string `json:"identifier"`
	// Fingerprint is sentFingerprint of the identifier and the fields that were sent.
	Fingerprint string `json:"fingerprint"`
}

// sentFingerprint hashes the identifier and the plain fields of a binding or a request.
func sentFingerprint(p platforms.Platform, fields map[string]string) string {
	h := sha256.New()
	for _, name := range p.NonSecretNames() {
		_, _ = fmt.Fprintf(h, "%s=%q\n", name, fields[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// savePendingCreate saves the binding a create may have made: the planned values, with the
// computed ones COC did not confirm left null, and the mark of what was sent. It makes no call:
// after Ctrl-C or at timeouts.create the context is done, and Terraform still waits for this.
func (r *appResource) savePendingCreate(ctx context.Context, plan appBinding, sent coc.BindingRequest, err error, resp *resource.CreateResponse) {
	identifier := sent.Fields[r.platform.Identifier.Name]
	recorded := plan.withoutUnknowns()
	recorded.ID = types.StringValue(identifier)
	r.writeBinding(ctx, &resp.State, recorded, &resp.Diagnostics)
	mark := &pendingCreate{Identifier: identifier, Fingerprint: sentFingerprint(r.platform, sent.Fields)}
	writePrivate(ctx, resp.Private, bindingPrivate{PendingCreate: mark}, &resp.Diagnostics)
	r.setIdentity(ctx, resp.Identity, types.StringValue(identifier), &resp.Diagnostics)
	resp.Diagnostics.AddWarning(fmt.Sprintf("%s App Binding Not Confirmed", r.platform.Name), fmt.Sprintf(
		"Terraform sent COC the binding of the %[1]s app with %[2]s %[3]q and does not know whether COC made it:\n\n%[4]s\n\n"+
			"Terraform records the binding as created, without its status and timestamps, so that the next apply neither binds it "+
			"twice nor asks for an import. That apply reads the binding from COC: if COC holds it as sent, Terraform keeps it and "+
			"updates it once to send its secrets again; if nothing is bound, Terraform binds it again; if COC holds another "+
			"binding, Terraform warns and never takes that one over.", r.platform.Name, r.platform.Identifier.Name, identifier, r.data.errorDetail(err, rerunApply)))
}

// resolvePendingCreate settles a create whose outcome was unknown, now that Read has found a
// binding of this resource's identifier. It reports whether COC holds what was sent, so that
// Read keeps the binding (with no secrets recorded); otherwise Read forgets it.
func (r *appResource) resolvePendingCreate(sent pendingCreate, bound *coc.Binding, diags *diag.Diagnostics) bool {
	identifier := bound.Identifier()
	if sent.Identifier != identifier || sent.Fingerprint != sentFingerprint(r.platform, bound.Fields) {
		diags.AddAttributeWarning(path.Root(r.platform.Identifier.Name), fmt.Sprintf("%s App Binding Not Adopted", r.platform.Name), fmt.Sprintf(
			"An earlier apply sent COC the binding of the %[1]s app with %[2]s %[3]q, and nothing confirmed it. COC holds a binding of that "+
				"app, but with other settings than that apply sent: it may have been bound on the console, and Terraform does not "+
				"take it over. Terraform treats the binding as not made and plans to bind it again, which fails with %[1]s App "+
				"Already Bound and the commands to import it. To manage the binding COC holds, import it; to replace it, unbind it "+
				"first.", r.platform.Name, r.platform.Identifier.Name, identifier))
		return false
	}
	// COC never returns secrets, so whether it holds the ones sent is unknown: forgetting the
	// recorded ones makes the plan send them again, as after an import.
	diags.AddWarning(fmt.Sprintf("Unconfirmed %s App Binding Found", r.platform.Name), fmt.Sprintf(
		"An earlier apply sent COC the binding of the %[1]s app with %[2]s %[3]q, and nothing confirmed it. COC holds it as that apply "+
			"sent it, so Terraform keeps it. Whether COC holds the secrets sent too cannot be read back, so the plan sends them "+
			"once more: an update in place.", r.platform.Name, r.platform.Identifier.Name, identifier))
	return true
}
