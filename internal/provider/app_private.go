package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

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
