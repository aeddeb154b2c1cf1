package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// What a binding keeps in the private state, each under a key of its own as a JSON value.
const (
	// privateAppliedKeyUpdatedAt holds bindingPrivate.AppliedKeyUpdatedAt.
	privateAppliedKeyUpdatedAt = "applied_key_updated_at"
	// privateUnrestoredWriteOnly holds bindingPrivate.UnrestoredWriteOnly.
	privateUnrestoredWriteOnly = "unrestored_write_only"
	// privateImportID holds bindingPrivate.ImportID.
	privateImportID = "import_id"
	// privatePendingCreate holds bindingPrivate.PendingCreate.
	privatePendingCreate = "pending_create"
)

// bindingPrivate is what a binding keeps in the private state.
type bindingPrivate struct {
	// AppliedKeyUpdatedAt is key_updated_at as of the last time this provider set the secrets;
	// a newer value in COC means somebody changed them elsewhere. Empty when imported and
	// never applied: no baseline to compare with.
	AppliedKeyUpdatedAt string
	// UnrestoredWriteOnly maps write-only secrets changed outside Terraform, and not sent since,
	// to the key_updated_at that showed the change. COC has one key_updated_at for all of a
	// binding's secrets, so once an update sends another secret, only this keeps the drift of
	// these visible.
	UnrestoredWriteOnly map[string]string
	// ImportID is the identifier an import asked for, until the first read checks it.
	ImportID *string
	// PendingCreate is what a create whose outcome is unknown sent, until the next refresh.
	PendingCreate *pendingCreate
}

type privateGetter interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// readPrivate reads each key: an unreadable one counts as missing, except a pending create's
// mark, which then matches no binding (the safe side).
func readPrivate(ctx context.Context, private privateGetter, diags *diag.Diagnostics) bindingPrivate {
	get := func(key string) []byte {
		raw, d := private.GetKey(ctx, key)
		diags.Append(d...)
		return raw
	}
	var doc bindingPrivate
	if raw := get(privateAppliedKeyUpdatedAt); raw != nil {
		var applied string
		if json.Unmarshal(raw, &applied) == nil {
			doc.AppliedKeyUpdatedAt = applied
		}
	}
	if raw := get(privateUnrestoredWriteOnly); raw != nil {
		_ = json.Unmarshal(raw, &doc.UnrestoredWriteOnly)
	}
	if raw := get(privateImportID); raw != nil {
		var id string
		if json.Unmarshal(raw, &id) == nil {
			doc.ImportID = &id
		}
	}
	if raw := get(privatePendingCreate); raw != nil {
		doc.PendingCreate = &pendingCreate{}
		_ = json.Unmarshal(raw, doc.PendingCreate)
	}
	return doc
}

// writePrivate stores each member that is set, and removes the key of each that is not.
func writePrivate(ctx context.Context, private privateSetter, doc bindingPrivate, diags *diag.Diagnostics) {
	set := func(key string, v any, present bool) {
		var raw []byte
		if present {
			raw, _ = json.Marshal(v) // strings, maps of strings and a struct of strings always encode
		}
		diags.Append(private.SetKey(ctx, key, raw)...)
	}
	set(privateAppliedKeyUpdatedAt, doc.AppliedKeyUpdatedAt, doc.AppliedKeyUpdatedAt != "")
	set(privateUnrestoredWriteOnly, doc.UnrestoredWriteOnly, len(doc.UnrestoredWriteOnly) > 0)
	set(privateImportID, doc.ImportID, doc.ImportID != nil)
	set(privatePendingCreate, doc.PendingCreate, doc.PendingCreate != nil)
}
